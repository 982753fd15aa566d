/**
 * The shape of a row's id (a UUID the service wrote). A text of another shape names no row: it
 * is answered (not found, no files) without asking the database.
 */
export const ROW_ID = /^[0-9a-f-]{36}$/i;

export const isRowId = (id: unknown): id is string => typeof id === 'string' && ROW_ID.test(id);
