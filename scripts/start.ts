/**
 * `npm start`: a real n8n on 127.0.0.1 with this package installed as users install it, a
 * Bird credential pointing at the local Bird sandbox, and the example workflows imported.
 * Ctrl-C stops everything it started.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { ensureN8n, ensureOwner, gitIgnoredCache, importInto, installPackage, n8nInstance, packPackage, ROOT, startN8n, waitForReady } from './n8n';
import { BirdSandbox, SANDBOX } from './sandbox/server';

const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.BIRD_SANDBOX_PORT ?? 5680);
const OWNER = { email: 'owner@example.com', firstName: 'Local', lastName: 'Owner', password: 'BirdSandbox1' };

async function main() {
	const started = Date.now();
	const runtime = ensureN8n();
	console.log('Building and packing n8n-nodes-bird...');
	const userFolder = gitIgnoredCache('n8n-home');
	installPackage(userFolder, packPackage());
	const sandbox = await new BirdSandbox().start(SANDBOX_PORT);
	const n8n = n8nInstance(runtime, userFolder);
	await importInto(n8n, 'credentials', [
		{ id: 'birdSandboxCred1', name: 'Bird sandbox', type: 'birdApi', data: { apiKey: SANDBOX.accessKey, workspaceId: SANDBOX.workspaceId, baseUrl: sandbox.url } },
	]);
	const examples = readdirSync(path.join(ROOT, 'examples')).filter((name) => name.endsWith('.json'));
	await importInto(n8n, 'workflow', examples.map((name) => JSON.parse(readFileSync(path.join(ROOT, 'examples', name), 'utf8'))));

	const child = startN8n(n8n, N8N_PORT);
	child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
	// Stopping waits for n8n to exit (its own shutdown), then stops the sandbox (below).
	const stop = () => {
		child.kill('SIGTERM');
		setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	child.on('exit', (code) => {
		console.log(`n8n exited (${code ?? 'signal'})`);
		void sandbox.stop().then(() => process.exit(code ?? 0));
	});

	const url = `http://127.0.0.1:${N8N_PORT}`;
	await waitForReady(url);
	if (!(await ensureOwner(url, OWNER))) console.log(`Could not create the owner account; open ${url} and create one yourself.`);

	console.log(`
n8n ${runtime.version} with n8n-nodes-bird is ready (${Math.round((Date.now() - started) / 1000)} s):
  Editor:        ${url}   login ${OWNER.email} / ${OWNER.password}
  Bird sandbox:  ${sandbox.url}/_sandbox   (what was sent; the "Bird sandbox" credential points here)
  Workflows:     ${examples.length} examples imported; open one and click "Execute workflow".
Ctrl-C stops n8n and the sandbox.`);
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
