/** The columns every import job shares (department alerts, household registry). */
export interface ImportJobColumns {
  id: string;
  status: string;
  fileName: string;
  format: string;
  sha256: string;
  size: number;
  areaCode: string | null;
  rowsDone: number;
  rowsTotal: number | null;
  counts: unknown;
  error: string | null;
  sameFileAs: string | null;
  uploadedById: string;
  uploadedByUsername: string;
  uploadedByRole: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** What an import job shows, whatever it imports: progress, counts, who, when, and its report once done. */
export function importJobView(imp: ImportJobColumns, reportPath: string) {
  return {
    id: imp.id,
    status: imp.status,
    fileName: imp.fileName,
    format: imp.format,
    sha256: imp.sha256,
    size: imp.size,
    areaCode: imp.areaCode,
    progress: { rowsDone: imp.rowsDone, rowsTotal: imp.rowsTotal },
    counts: imp.counts,
    error: imp.error,
    sameFileAs: imp.sameFileAs,
    uploadedBy: { id: imp.uploadedById, username: imp.uploadedByUsername, role: imp.uploadedByRole },
    createdAt: imp.createdAt.toISOString(),
    startedAt: imp.startedAt?.toISOString() ?? null,
    finishedAt: imp.finishedAt?.toISOString() ?? null,
    reportUrl: imp.status === 'completed' ? reportPath : null,
  };
}
