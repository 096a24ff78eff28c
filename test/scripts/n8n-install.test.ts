/**
 * The n8n install behind `npm start` and the end-to-end tests, with real npm installs of small
 * stand-ins from local tarballs: an "n8n" whose CLI prints its version, and a "sqlite3" whose
 * native part is built by its install script (as the real sqlite3's is) and which refuses to
 * load without it. What broke a cold machine: npm's `ignore-scripts=true` reaching the nested
 * install through the environment, and a marker written for an install whose sqlite3 was never
 * built.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { InstallPlan } from '../../scripts/n8n-install';
import { cleanNpmEnvironment, ensureInstall, markerFile, verifyInstall } from '../../scripts/n8n-install';

let work: string;
let tarballs: { n8n: string; sqlite3: string };

/** Writes a package folder and packs it; returns the tarball. */
function pack(name: string, files: Record<string, string>): string {
	const folder = path.join(work, 'src', name);
	for (const [file, text] of Object.entries(files)) {
		mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
		writeFileSync(path.join(folder, file), text);
	}
	const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: folder, encoding: 'utf8', env: cleanNpmEnvironment() });
	return path.join(work, out.trim().split('\n').pop() as string);
}

beforeAll(() => {
	work = mkdtempSync(path.join(tmpdir(), 'n8n-install-test-'));
	tarballs = {
		n8n: pack('n8n', {
			'package.json': JSON.stringify({ name: 'n8n', version: '9.9.9', bin: { n8n: 'bin/n8n' } }),
			'bin/n8n': "#!/usr/bin/env node\nif (process.argv[2] === '--version') console.log('9.9.9');\n",
		}),
		sqlite3: pack('sqlite3', {
			// The install script builds the "native module"; FAKE_SQLITE_BROKEN makes the build produce nothing.
			'package.json': JSON.stringify({ name: 'sqlite3', version: '5.1.7', main: 'index.js', scripts: { install: 'node build.js' } }),
			'build.js':
				"const fs = require('fs'); if (!process.env.FAKE_SQLITE_BROKEN) { fs.mkdirSync('build/Release', { recursive: true }); fs.writeFileSync('build/Release/node_sqlite3.node', 'built'); }\n",
			'index.js': [
				"const fs = require('fs'); const path = require('path');",
				"if (!fs.existsSync(path.join(__dirname, 'build/Release/node_sqlite3.node'))) throw new Error('Cannot find module ' + path.join(__dirname, 'build/Release/node_sqlite3.node'));",
				'class Database { get(sql, callback) { callback(null, { one: 1 }); } close() {} }',
				'module.exports = { Database };',
			].join('\n'),
		}),
	};
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

function plan(name: string): InstallPlan {
	return {
		folder: path.join(work, name),
		version: '9.9.9',
		node: process.execPath,
		dependencies: { n8n: `file:${tarballs.n8n}`, sqlite3: `file:${tarballs.sqlite3}` },
	};
}

/** Runs `ensureInstall` with the environment npm gives a script under a project whose .npmrc says ignore-scripts=true. */
function ensureUnderNpmStart(target: InstallPlan, env: NodeJS.ProcessEnv = {}): string[] {
	const lines: string[] = [];
	const saved = { ...process.env };
	Object.assign(process.env, { npm_config_ignore_scripts: 'true', NPM_CONFIG_OMIT: 'optional', npm_lifecycle_event: 'start', ...env });
	try {
		ensureInstall(target, (line) => lines.push(line));
	} finally {
		for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
		Object.assign(process.env, saved);
	}
	return lines;
}

const sqliteBuild = (target: InstallPlan) => path.join(target.folder, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');

test("the caller's npm settings do not reach the install: under ignore-scripts=true the native module is still built", () => {
	const target = plan('cold');
	const lines = ensureUnderNpmStart(target);
	expect(lines).toEqual([expect.stringMatching(/^Installing n8n 9\.9\.9 into .* \(once; about \d+ minutes and [\d.]+ GB\)\.\.\.$/)]);
	expect(existsSync(sqliteBuild(target))).toBe(true);
	expect(JSON.parse(readFileSync(markerFile(target.folder), 'utf8'))).toMatchObject({ version: '9.9.9', node: process.execPath });
	// A second start finds it working and says nothing.
	expect(ensureUnderNpmStart(target)).toEqual([]);
}, 120_000);

test('no marker for an install that does not run: a sqlite3 that built nothing fails the install, and the next start starts over', () => {
	const target = plan('broken-build');
	expect(() => ensureUnderNpmStart(target, { FAKE_SQLITE_BROKEN: '1' })).toThrow(
		/n8n 9\.9\.9 installed, but it does not run: sqlite3's native module does not load \(Cannot find module .*node_sqlite3\.node\)\. Nothing was marked as installed/,
	);
	expect(existsSync(markerFile(target.folder))).toBe(false);
	const lines = ensureUnderNpmStart(target);
	expect(lines).toEqual([expect.stringMatching(/^Found an unfinished install of n8n 9\.9\.9 in .*; starting it over/)]);
	expect(existsSync(markerFile(target.folder))).toBe(true);
}, 120_000);

test('a cache whose sqlite3 was never built (the marker written anyway, as before) is detected and repaired on the next start', () => {
	const target = plan('repair');
	ensureUnderNpmStart(target);
	// What an install under ignore-scripts=true left behind: the package without its native part, and a marker.
	rmSync(path.join(target.folder, 'node_modules', 'sqlite3', 'build'), { recursive: true });
	expect(verifyInstall(target)).toMatch(/^sqlite3's native module does not load/);
	const lines = ensureUnderNpmStart(target);
	expect(lines[0]).toMatch(/^The cached n8n 9\.9\.9 in .* does not run: sqlite3's native module does not load .*Repairing it: rebuilding its native modules\.\.\.$/);
	expect(lines[1]).toBe('Repaired n8n 9.9.9.');
	expect(existsSync(sqliteBuild(target))).toBe(true);
	expect(verifyInstall(target)).toBeUndefined();
}, 120_000);

test('a cache whose n8n is gone is reinstalled', () => {
	const target = plan('no-cli');
	ensureUnderNpmStart(target);
	rmSync(path.join(target.folder, 'node_modules', 'n8n'), { recursive: true });
	const lines = ensureUnderNpmStart(target);
	expect(lines[0]).toMatch(/does not run: n8n's command-line program is missing/);
	expect(lines[1]).toMatch(/^Rebuilding did not help .*; installing n8n 9\.9\.9 again/);
	expect(verifyInstall(target)).toBeUndefined();
}, 120_000);

test("npm's own variables are removed, whatever their case, and the rest is kept", () => {
	const clean = cleanNpmEnvironment({ npm_config_ignore_scripts: 'true', NPM_CONFIG_OMIT: 'optional', npm_package_name: 'x', INIT_CWD: '/x', PATH: '/bin', HTTPS_PROXY: 'http://proxy' }, { EXTRA: '1' });
	expect(clean).toEqual({ PATH: '/bin', HTTPS_PROXY: 'http://proxy', EXTRA: '1' });
});
