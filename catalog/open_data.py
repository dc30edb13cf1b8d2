"""The catalogue's data sets in the dumps of /donnees/ (CatalogConfig.open_data)."""

from catalog import crawler, exports

DUMPS = [*exports.CATALOG_DUMPS, crawler.DUMP]
