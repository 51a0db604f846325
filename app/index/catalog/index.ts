/** The SQLite catalog: schema, connection setup, read queries and the writer's statements (all of the index's SQL). */
export * from './catalog.js';
export { CatalogWriter, type FileRowInput, type PassageRowInput } from './catalog-writer.js';
export { CATALOG_FORMAT_VERSION, CATALOG_SCHEMA } from './catalog-schema.js';
