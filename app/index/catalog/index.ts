/** The SQLite catalog: schema, connection setup and read queries (the writer issues its own statements). */
export * from './catalog.js';
export { CATALOG_FORMAT_VERSION, CATALOG_SCHEMA } from './catalog-schema.js';
