/**
 * What a file is, from its first bytes, never from its name. Accepted: PDF, JPEG, PNG and
 * Office documents (legacy OLE2 .doc/.xls/.ppt and OOXML .docx/.xlsx/.pptx).
 *
 * Hand-written because the well-known detector (`file-type`) is ESM-only since v17 and this
 * CommonJS service and its Jest suites cannot load it; the five signatures below are stable
 * file-format constants, and the OOXML check looks at the ZIP's entry names the way
 * `file-type` does.
 */
export interface FileKind {
  mimeType: string;
  extension: string;
}

const startsWith = (buf: Buffer, bytes: number[], offset = 0) => bytes.every((b, i) => buf[offset + i] === b);

const OOXML: Array<[string, FileKind]> = [
  ['word/', { mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx' }],
  ['xl/', { mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' }],
  ['ppt/', { mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extension: 'pptx' }],
];

const LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Names of the local file entries of a ZIP, in order, as far as the buffer reaches. */
function zipEntryNames(buf: Buffer, max = 50): string[] {
  const names: string[] = [];
  let offset = 0;
  while (names.length < max && offset + 30 <= buf.length && buf.readUInt32LE(offset) === 0x04034b50) {
    const flags = buf.readUInt16LE(offset + 6);
    const compressedSize = buf.readUInt32LE(offset + 18);
    const nameLength = buf.readUInt16LE(offset + 26);
    const extraLength = buf.readUInt16LE(offset + 28);
    names.push(buf.toString('utf8', offset + 30, offset + 30 + nameLength));
    const dataStart = offset + 30 + nameLength + extraLength;
    // streaming writers (bit 3) put the sizes after the data: look ahead for the next header
    offset = flags & 0x08 ? buf.indexOf(LOCAL_HEADER, dataStart) : dataStart + compressedSize;
    if (offset < 0) break;
  }
  return names;
}

export function detectFileKind(buf: Buffer): FileKind | null {
  if (buf.length >= 5 && buf.toString('latin1', 0, 5) === '%PDF-') return { mimeType: 'application/pdf', extension: 'pdf' };
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return { mimeType: 'image/jpeg', extension: 'jpg' };
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { mimeType: 'image/png', extension: 'png' };
  if (startsWith(buf, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return { mimeType: 'application/x-ole-storage', extension: 'doc' };
  }
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) {
    const names = zipEntryNames(buf);
    if (!names.includes('[Content_Types].xml') && !names.some((n) => n.startsWith('_rels/'))) return null;
    for (const [prefix, kind] of OOXML) if (names.some((n) => n.startsWith(prefix))) return kind;
  }
  return null;
}
