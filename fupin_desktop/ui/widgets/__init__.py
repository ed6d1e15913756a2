"""Widgets shared by several pages: grouped-header tables, painted charts, pickers."""
