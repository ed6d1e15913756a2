"""fupin_desktop: 乡镇扶贫（巩固衔接）业务数据桌面工具."""

__version__ = "0.1.0"
