// Bundles the extension (node, CommonJS, `vscode` external) and the graph webview script
// (browser IIFE), and copies mermaid's own browser bundle beside it so the graph works offline.
// (Bundling mermaid from source trips over langium importing vscode-jsonrpc internals that the
// newer vscode-jsonrpc of vscode-languageclient no longer exports.) `--watch`, `--production`.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const require = createRequire(import.meta.url);
const mermaidDist = join(dirname(require.resolve('mermaid/package.json')), 'dist');
if (!watch) rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/webview', { recursive: true });
copyFileSync(join(mermaidDist, 'mermaid.min.js'), 'dist/webview/mermaid.min.js');
copyFileSync(join(dirname(require.resolve('mermaid/package.json')), 'LICENSE'), 'dist/webview/mermaid.LICENSE');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  legalComments: 'external',
  logLevel: 'info',
};

const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['src/webview/graph.ts'],
    outfile: 'dist/webview/graph.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    minify: true,
  },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
