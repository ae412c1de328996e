/**
 * Multipart upload: busboy parses the request as it arrives and each file part is streamed through
 * the atomic writer (temp file + rename), so nothing is held whole in memory. Part file names may
 * carry sub-folders ("src/a.ts", as folder uploads send them) and go through the path guard like
 * any other path; a part over the size limit fails the upload with 413 and leaves no temp file.
 * Any failure — a client that disconnects mid-body, a malformed body, a limit, a failed rename —
 * destroys the file parts still being written, so each write unlinks its temp file at once, and
 * the upload settles only after they have (no partial target is ever renamed into place).
 */
import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { ApiError, badRequest } from '../contract/errors.js';
import type { FileInfo } from '../contract/files.js';
import { normaliseRelative } from '../platform/path-guard.js';
import type { FilesService } from './service.js';

export interface UploadOptions {
  dir: string;
  overwrite: boolean;
  maxFileBytes: number;
  maxFiles?: number;
}

export function uploadFiles(service: FilesService, root: string, req: Request, options: UploadOptions): Promise<FileInfo[]> {
  const type = req.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    return Promise.reject(new ApiError(415, 'unsupported_media_type', 'Send the files as multipart/form-data'));
  }
  const dirSegments = normaliseRelative(options.dir, 'path');
  return new Promise<FileInfo[]>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        preservePath: true,
        limits: { fileSize: options.maxFileBytes + 1, files: options.maxFiles ?? 1000, fields: 100, fieldSize: 64 * 1024 },
      });
    } catch (error) {
      reject(badRequest('invalid_multipart', `Malformed multipart request: ${(error as Error).message}`));
      return;
    }
    const writes: Array<Promise<FileInfo>> = [];
    const active = new Set<Readable>();
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      // Parts still streaming end now with an error: their writes unlink their temp files.
      for (const stream of active) stream.destroy(error instanceof Error ? error : new Error(String(error)));
      active.clear();
      if (!req.destroyed) req.resume();
      void Promise.allSettled(writes).then(() => reject(error));
    };
    parser.on('file', (_field, stream, info) => {
      // busboy destroys a part that the form cuts off with an error; the write may not listen yet.
      stream.on('error', (error) => fail(badRequest('invalid_multipart', `Malformed multipart request: ${error.message}`)));
      if (failed) return void stream.resume();
      let rel: string;
      try {
        const name = info.filename ?? '';
        if (!name) throw badRequest('invalid_file_name', 'A file part has no file name');
        // The part name is checked on its own (no "..", not absolute) before joining the folder.
        const nameSegments = normaliseRelative(name.replace(/\\/g, '/'), 'file name');
        if (!nameSegments.length) throw badRequest('invalid_file_name', `Invalid file name "${name}"`);
        rel = [...dirSegments, ...nameSegments].join('/');
      } catch (error) {
        stream.resume();
        return fail(error);
      }
      active.add(stream);
      const write = service.write(root, rel, stream, { mkdir: true, maxBytes: options.maxFileBytes, overwrite: options.overwrite });
      write.then(
        () => active.delete(stream),
        (error: unknown) => {
          active.delete(stream);
          if (!stream.destroyed) stream.resume();
          fail(error);
        },
      );
      writes.push(write);
    });
    parser.on('filesLimit', () => fail(new ApiError(413, 'too_many_files', `At most ${options.maxFiles ?? 1000} files per upload`)));
    parser.on('error', (error) => fail(badRequest('invalid_multipart', `Malformed multipart request: ${(error as Error).message}`)));
    parser.on('close', () => {
      if (failed) return;
      Promise.all(writes).then((files) => {
        if (!files.length) return fail(badRequest('no_files', 'The multipart body holds no file parts'));
        resolve(files);
      }, fail);
    });
    const abortedError = () => badRequest('request_aborted', 'The client aborted the upload');
    req.on('aborted', () => fail(abortedError()));
    req.on('error', () => fail(abortedError()));
    req.on('close', () => {
      if (!req.complete) fail(abortedError());
    });
    req.pipe(parser);
  });
}
