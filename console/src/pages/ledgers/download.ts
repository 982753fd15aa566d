import { api } from '../../api';

/** Saves a blob under a name (a temporary object URL, never a URL with the token). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A service download: fetched with the Authorization header, the file name from Content-Disposition. */
export async function downloadFrom(path: string, fallbackName: string): Promise<void> {
  const res: Response = await api(path, { raw: true });
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  saveBlob(await res.blob(), name);
}

function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // a leading = + - @ would be a formula in a spreadsheet: quoted with a leading apostrophe
  const safe = /^[=+\-@]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV for a ledger the service offers only as JSON: BOM (Excel reads UTF-8), the Chinese header row, then the rows. */
export function toCsv(columns: Array<{ label: string }>, rows: string[][]): string {
  return '\uFEFF' + [columns.map((c) => cell(c.label)).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\r\n') + '\r\n';
}
