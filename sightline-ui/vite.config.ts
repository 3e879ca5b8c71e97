import { defineConfig, type Plugin } from 'vite';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// Precompressed copies next to each asset: the server sends `name.gz` to clients that accept gzip,
// so the UI costs no CPU per request to compress.
function gzipAssets(): Plugin {
  let outDir = '';
  return {
    name: 'sightline-gzip-assets',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (/\.(js|css|html|svg)$/.test(name)) writeFileSync(path + '.gz', gzipSync(readFileSync(path), { level: 9 }));
        }
      };
      walk(outDir);
    },
  };
}

export default defineConfig({
  base: '/',
  // Output goes straight into the jar's resources (sightline-ui/target/classes).
  build: {
    outDir: process.env.SIGHTLINE_UI_OUT ?? 'target/classes/io/sightline/ui/static',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [gzipAssets()],
  server: {
    // `npm run dev` against a running server: API calls go to it.
    proxy: { '/api': 'http://127.0.0.1:8321', '/-': 'http://127.0.0.1:8321' },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
