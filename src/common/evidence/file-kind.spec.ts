import { crc32 } from 'node:zlib';
import { detectFileKind } from './file-kind';

const PDF = { mimeType: 'application/pdf', extension: 'pdf' };
const JPEG = { mimeType: 'image/jpeg', extension: 'jpg' };
const PNG = { mimeType: 'image/png', extension: 'png' };
const OLE2 = { mimeType: 'application/x-ole-storage', extension: 'doc' };
const DOCX = { mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx' };
const XLSX = { mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx' };
const PPTX = { mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extension: 'pptx' };

interface ZipOptions {
  /** Set general-purpose flag bit 3: sizes and CRC follow the data in a data descriptor (streamed ZIPs). */
  dataDescriptor?: boolean;
  /** An extra field written after each name in the local and central headers. */
  extra?: Buffer;
}

/**
 * A complete ZIP archive with stored (uncompressed) entries: local file headers, data,
 * optional data descriptors, central directory and end-of-central-directory record.
 */
function buildZip(entries: Array<[name: string, content: string]>, opts: ZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(content, 'utf8');
    const crc = crc32(data);
    const flags = opts.dataDescriptor ? 0x08 : 0;
    const extra = opts.extra ?? Buffer.alloc(0);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header signature
    local.writeUInt16LE(20, 4); // version needed to extract
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(0, 10); // mod time
    local.writeUInt16LE(0x21, 12); // mod date 1980-01-01
    local.writeUInt32LE(opts.dataDescriptor ? 0 : crc, 14);
    local.writeUInt32LE(opts.dataDescriptor ? 0 : data.length, 18); // compressed size
    local.writeUInt32LE(opts.dataDescriptor ? 0 : data.length, 22); // uncompressed size
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(extra.length, 28); // extra field length
    const localParts = [local, nameBytes, extra, data];
    if (opts.dataDescriptor) {
      const dd = Buffer.alloc(16);
      dd.writeUInt32LE(0x08074b50, 0);
      dd.writeUInt32LE(crc, 4);
      dd.writeUInt32LE(data.length, 8);
      dd.writeUInt32LE(data.length, 12);
      localParts.push(dd);
    }
    const localRecord = Buffer.concat(localParts);

    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0); // central directory header signature
    cd.writeUInt16LE(20, 4); // version made by
    cd.writeUInt16LE(20, 6); // version needed
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(0, 10); // stored
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    cd.writeUInt16LE(extra.length, 30); // extra
    cd.writeUInt16LE(0, 32); // comment
    cd.writeUInt16LE(0, 34); // disk number
    cd.writeUInt16LE(0, 36); // internal attributes
    cd.writeUInt32LE(0, 38); // external attributes
    cd.writeUInt32LE(offset, 42); // offset of local header
    central.push(Buffer.concat([cd, nameBytes, extra]));

    parts.push(localRecord);
    offset += localRecord.length;
  }
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0, 4);
  eocd.writeUInt16LE(0, 6);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(offset, 16);
  eocd.writeUInt16LE(0, 20);
  return Buffer.concat([...parts, cdBuf, eocd]);
}

const CONTENT_TYPES = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
const RELS = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>';
const XML = '<?xml version="1.0" encoding="UTF-8"?><x/>';

describe('buildZip (test helper)', () => {
  it('writes a local file header, the name and the stored data', () => {
    const zip = buildZip([['a.txt', 'hello']]);
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(26)).toBe(5);
    expect(zip.toString('utf8', 30, 35)).toBe('a.txt');
    expect(zip.toString('utf8', 35, 40)).toBe('hello');
    expect(zip.readUInt32LE(zip.length - 22)).toBe(0x06054b50);
  });
});

describe('detectFileKind', () => {
  describe('by signature', () => {
    it('detects a PDF from %PDF-', () => {
      expect(detectFileKind(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'))).toEqual(PDF);
    });

    it('detects a JPEG from FF D8 FF', () => {
      expect(detectFileKind(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]))).toEqual(JPEG);
    });

    it('detects a PNG from its 8-byte signature', () => {
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
      expect(detectFileKind(png)).toEqual(PNG);
    });

    it('detects a legacy Office (OLE2) file', () => {
      const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
      expect(detectFileKind(ole)).toEqual(OLE2);
    });
  });

  describe('near misses', () => {
    it('rejects an empty buffer', () => {
      expect(detectFileKind(Buffer.alloc(0))).toBeNull();
    });

    it('rejects plain text renamed to .pdf', () => {
      expect(detectFileKind(Buffer.from('这是一份情况说明，不是PDF。\nThis is plain text.', 'utf8'))).toBeNull();
    });

    it('rejects %PDF- that does not start at byte 0', () => {
      expect(detectFileKind(Buffer.from(' %PDF-1.7', 'latin1'))).toBeNull();
    });

    it('rejects a truncated PDF signature', () => {
      expect(detectFileKind(Buffer.from('%PDF', 'latin1'))).toBeNull();
    });

    it('rejects a truncated PNG signature', () => {
      expect(detectFileKind(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a]))).toBeNull();
    });

    it('rejects a PNG signature with one byte changed', () => {
      expect(detectFileKind(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b]))).toBeNull();
    });

    it('rejects two bytes of a JPEG signature', () => {
      expect(detectFileKind(Buffer.from([0xff, 0xd8]))).toBeNull();
    });

    it('rejects an executable', () => {
      expect(detectFileKind(Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'))).toBeNull();
    });

    it('rejects a GIF (not an accepted kind)', () => {
      expect(detectFileKind(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBeNull();
    });
  });

  describe('ZIP-based Office documents', () => {
    it('detects a minimal docx', () => {
      const docx = buildZip([
        ['[Content_Types].xml', CONTENT_TYPES],
        ['word/document.xml', XML],
      ]);
      expect(detectFileKind(docx)).toEqual(DOCX);
    });

    it('detects a docx whose word/ entry comes after _rels and docProps', () => {
      const docx = buildZip([
        ['[Content_Types].xml', CONTENT_TYPES],
        ['_rels/.rels', RELS],
        ['docProps/core.xml', XML],
        ['word/document.xml', XML],
      ]);
      expect(detectFileKind(docx)).toEqual(DOCX);
    });

    it('detects a package marked only by _rels/ (no [Content_Types].xml among the entries read)', () => {
      const docx = buildZip([
        ['_rels/.rels', RELS],
        ['word/document.xml', XML],
      ]);
      expect(detectFileKind(docx)).toEqual(DOCX);
    });

    it('detects a minimal xlsx', () => {
      const xlsx = buildZip([
        ['[Content_Types].xml', CONTENT_TYPES],
        ['xl/workbook.xml', XML],
      ]);
      expect(detectFileKind(xlsx)).toEqual(XLSX);
    });

    it('detects a minimal pptx', () => {
      const pptx = buildZip([
        ['[Content_Types].xml', CONTENT_TYPES],
        ['ppt/presentation.xml', XML],
      ]);
      expect(detectFileKind(pptx)).toEqual(PPTX);
    });

    it('detects a docx whose entries carry extra fields', () => {
      // "UT" extended-timestamp extra field (0x5455), as written by Info-ZIP and many libraries
      const ut = Buffer.alloc(9);
      ut.writeUInt16LE(0x5455, 0);
      ut.writeUInt16LE(5, 2);
      ut.writeUInt8(1, 4);
      ut.writeUInt32LE(1700000000, 5);
      const docx = buildZip(
        [
          ['[Content_Types].xml', CONTENT_TYPES],
          ['word/document.xml', XML],
        ],
        { extra: ut },
      );
      expect(docx.readUInt16LE(28)).toBe(9);
      expect(detectFileKind(docx)).toEqual(DOCX);
    });

    it('detects a docx written by a streaming ZIP writer (data descriptors, sizes 0 in local headers)', () => {
      // Java's ZipOutputStream and Apache POI writing to an OutputStream set flag bit 3;
      // file-type then searches for the next local header instead of stopping.
      const docx = buildZip(
        [
          ['[Content_Types].xml', CONTENT_TYPES],
          ['word/document.xml', XML],
        ],
        { dataDescriptor: true },
      );
      expect(detectFileKind(docx)).toEqual(DOCX);
    });

    it('rejects a plain ZIP without Office content', () => {
      const zip = buildZip([
        ['photos/house.jpg', 'not really a jpeg'],
        ['readme.txt', 'hello'],
      ]);
      expect(detectFileKind(zip)).toBeNull();
    });

    it('rejects a ZIP with a word/ folder but no package markers', () => {
      const zip = buildZip([['word/document.xml', XML]]);
      expect(detectFileKind(zip)).toBeNull();
    });

    it('rejects a package with [Content_Types].xml but no word/, xl/ or ppt/ part', () => {
      const zip = buildZip([
        ['[Content_Types].xml', CONTENT_TYPES],
        ['docProps/core.xml', XML],
      ]);
      expect(detectFileKind(zip)).toBeNull();
    });

    it('rejects a bare ZIP signature with nothing after it', () => {
      expect(detectFileKind(Buffer.from([0x50, 0x4b, 0x03, 0x04]))).toBeNull();
    });

    it('rejects an empty ZIP archive (end-of-central-directory only)', () => {
      expect(detectFileKind(buildZip([]))).toBeNull();
    });

    it('does not read past a truncated entry', () => {
      const docx = buildZip([
        ['[Content_Types].xml', CONTENT_TYPES],
        ['word/document.xml', XML],
      ]);
      // cut inside the second local header: only the first entry name is readable
      const firstRecord = 30 + '[Content_Types].xml'.length + CONTENT_TYPES.length;
      expect(detectFileKind(docx.subarray(0, firstRecord + 10))).toBeNull();
    });
  });
});
