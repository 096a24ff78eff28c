/**
 * `npm run scan`: n8n's own check of a community package, as its verification runs it:
 * `@n8n/scan-community-package`'s `analyzePackage` on the source (package.json and
 * nodes/ and credentials/, as n8n lints the GitHub source the provenance points to) and on the
 * packed tarball (its JavaScript and package.json). The scanner is installed once into
 * .cache/scanner (it is not a dependency of this package). Also lists what the tarball holds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { packPackage, ROOT } from './n8n';

const SCANNER_VERSION = '0.32.0';

interface Analysis {
	passed: boolean;
	message?: string;
	details?: string;
}

async function main() {
	const home = path.join(ROOT, '.cache', 'scanner', SCANNER_VERSION);
	const entry = path.join(home, 'node_modules', '@n8n', 'scan-community-package', 'scanner', 'scanner.mjs');
	if (!existsSync(entry)) {
		mkdirSync(home, { recursive: true });
		console.log(`Installing @n8n/scan-community-package@${SCANNER_VERSION} into ${path.relative(ROOT, home)}`);
		execFileSync('npm', ['install', '--prefix', home, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `@n8n/scan-community-package@${SCANNER_VERSION}`], { stdio: 'inherit' });
	}
	// A dynamic import that TypeScript's CommonJS output keeps as one.
	const load = new Function('url', 'return import(url)') as (url: string) => Promise<{
		analyzePackage(dir: string, patterns?: string[]): Promise<Analysis>;
		SOURCE_FILE_PATTERNS: string[];
	}>;
	const scanner = await load(pathToFileURL(entry).href);

	const tarball = packPackage();
	const unpacked = mkdtempSync(path.join(tmpdir(), 'n8n-bird-scan-'));
	execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
	const packageDir = path.join(unpacked, 'package');
	const files = (dir: string): string[] =>
		readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.relative(packageDir, path.join(dir, entry.name))]));
	const shipped = files(packageDir).sort();
	console.log(`The tarball holds ${shipped.length} files: ${shipped.filter((file) => !file.startsWith('dist/')).join(', ')} and dist/ (${shipped.filter((file) => file.endsWith('.js')).length} .js, ${shipped.filter((file) => file.endsWith('.json')).length - 1} .json, ${shipped.filter((file) => file.endsWith('.svg')).length} .svg, ${shipped.filter((file) => file.endsWith('.map')).length} .map).`);

	let failed = false;
	for (const [what, dir, patterns] of [
		['source (package.json, nodes/, credentials/)', ROOT, scanner.SOURCE_FILE_PATTERNS],
		['packed tarball (its .js and package.json)', packageDir, ['**/*.js', 'package.json']],
	] as const) {
		const result = await scanner.analyzePackage(dir, [...patterns]);
		console.log(`n8n scanner on the ${what}: ${result.passed ? 'passed' : `FAILED: ${result.message ?? ''}`}`);
		if (!result.passed) {
			failed = true;
			if (result.details) console.log(result.details);
		}
	}
	if (shipped.some((file) => file.endsWith('.map'))) {
		failed = true;
		console.log('The tarball ships source maps whose sources it does not ship.');
	}
	rmSync(unpacked, { recursive: true, force: true });
	process.exit(failed ? 1 : 0);
}

void main().catch((error: Error) => {
	console.error(error);
	process.exit(1);
});
