import { AppError } from '../errors/app-error';

/** The longest file name kept with an upload (the `fileName` columns are varchar(255)). */
export const FILE_NAME_MAX = 255;

/**
 * The name of an uploaded file as the client sent it (multer hands it over as latin1), or
 * `fallback` when it sent none. A longer name is refused (400 naming `file`), never cut (issue 19).
 */
export function uploadedFileName(originalname: string | undefined, fallback = ''): string {
  const name = Buffer.from(originalname ?? '', 'latin1').toString('utf8') || fallback;
  if ([...name].length > FILE_NAME_MAX) throw AppError.validation({ file: `文件名超过 ${FILE_NAME_MAX} 个字符，请改短后重新上传` });
  return name;
}
