/**
 * Exporting a workspace as a gzipped tar, streamed to the response in constant memory (tar packs
 * entry by entry with backpressure). `.git` and the files API's temp files are always left out;
 * with `gitignore` the .gitignore rules (every folder's) are honoured too.
 */
import { readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { Response } from 'express';
import { create } from 'tar';
import { GitIgnoreFilter } from './ignore-filter.js';
import { isTempName } from './service.js';

export async function streamExport(root: string, name: string, gitignore: boolean, res: Response): Promise<void> {
  const filter = gitignore ? new GitIgnoreFilter(root) : undefined;
  const top = (await readdir(root)).filter((n) => n !== '.git' && !isTempName(n)).sort();
  const safeName = name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'workspace';
  res.status(200);
  res.setHeader('Content-Type', 'application/gzip');
  res.setHeader('Content-Disposition', `attachment; filename="${safeName}.tar.gz"`);
  // An empty folder is an empty archive (two zero blocks); tar refuses an empty entry list.
  if (!top.length) return void res.end(gzipSync(Buffer.alloc(1024)));
  const pack = create(
    {
      gzip: true,
      cwd: root,
      portable: true,
      // tar reads files in blocks of up to 16 MiB by default; 1 MiB keeps an export's memory small.
      maxReadSize: 1024 * 1024,
      filter: (path, entry) => {
        const rel = path.replace(/^\.\//, '');
        const parts = rel.split('/');
        if (parts.includes('.git') || isTempName(parts[parts.length - 1] ?? '')) return false;
        const isDir = 'isDirectory' in entry && typeof entry.isDirectory === 'function' ? entry.isDirectory() : false;
        return !filter?.ignoresSync(rel, isDir);
      },
    },
    top,
  );
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    pack.on('error', () => {
      res.destroy();
      done();
    });
    res.on('close', done);
    res.on('finish', done);
    pack.pipe(res);
  });
}
