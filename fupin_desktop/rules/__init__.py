"""Business rules as plain functions, free of Qt and of the database.

* :mod:`.text` – full-width/whitespace clean-up shared by importer and code lists;
* :mod:`.idnumber` – GB 11643 ID numbers, 残疾人证号, masking;
* :mod:`.validation` – member and household checks, 三保障 suggestions, income arithmetic
  (:mod:`.income`).
"""
