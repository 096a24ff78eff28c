/**
 * `npm start`: a real n8n on 127.0.0.1 with this package installed as users install it, a
 * Bird credential pointing at the local Bird sandbox, the example workflows imported, and the
 * one that answers incoming messages active (its Bird Trigger subscribes at the sandbox, whose
 * chat view lets you play the customer). Ctrl-C stops everything it started.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { ensureN8n, ensureOwner, gitIgnoredCache, importInto, installPackage, n8nInstance, packPackage, publishWorkflow, ROOT, startN8n, unpublishWorkflow, waitForReady } from './n8n';
import { portProblem } from './ports';
import { BirdSandbox, SANDBOX } from './sandbox/server';

const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const SANDBOX_PORT = Number(process.env.BIRD_SANDBOX_PORT ?? 5680);
const OWNER = { email: 'owner@example.com', firstName: 'Local', lastName: 'Owner', password: 'BirdSandbox1' };
/** The example that starts on Bird Trigger; published, so that n8n activates it on start. */
const ACTIVE_EXAMPLE = 'birdAnswerInbox1';
/**
 * The same example's ID before example IDs were shortened to 16 characters (n8n 1.x saves no
 * static data for a longer ID, so its trigger never kept its Bird subscription). An n8n home set
 * up before still has it published, on the same webhook path: it is unpublished once.
 */
const RETIRED_ACTIVE_EXAMPLE = 'birdExampleAnswer1';

/** The ports npm start listens on; n8n also takes the one after its own for its task runners. */
const PORTS = [
	{ port: N8N_PORT, what: "n8n's editor and webhooks", variable: 'N8N_PORT' },
	{ port: N8N_PORT + 1, what: "n8n's task runners", variable: 'N8N_PORT + 1' },
	{ port: SANDBOX_PORT, what: 'the Bird sandbox', variable: 'BIRD_SANDBOX_PORT' },
];

async function checkPorts(): Promise<void> {
	const problem = await portProblem(PORTS);
	if (problem) throw new Error(problem);
}

async function main() {
	const started = Date.now();
	// Before the (first time: long) install, and again before starting, since the install takes minutes.
	await checkPorts();
	const runtime = ensureN8n();
	console.log('Building and packing n8n-nodes-bird...');
	const userFolder = gitIgnoredCache('n8n-home');
	installPackage(userFolder, packPackage());
	await checkPorts();
	const sandbox = await new BirdSandbox().start(SANDBOX_PORT);
	// The webhook URL n8n gives Bird Trigger: this n8n, which the sandbox (unlike Bird) may call over http.
	const webhookUrl = `http://127.0.0.1:${N8N_PORT}/`;
	const n8n = n8nInstance(runtime, userFolder, { N8N_WEBHOOK_URL: webhookUrl, WEBHOOK_URL: webhookUrl });
	await importInto(n8n, 'credentials', [
		{
			id: 'birdSandboxCred1',
			name: 'Bird sandbox',
			type: 'birdChannelsApi',
			data: { apiKey: SANDBOX.accessKey, workspaceId: SANDBOX.workspaceId, organizationId: SANDBOX.organizationId, accessKeyId: SANDBOX.accessKeyId, baseUrl: sandbox.url },
		},
	]);
	const shortIds = path.join(userFolder, 'example-ids-16');
	const setUpBeforeShortIds = existsSync(path.join(userFolder, '.n8n', 'database.sqlite')) && !existsSync(shortIds);
	const examples = readdirSync(path.join(ROOT, 'examples')).filter((name) => name.endsWith('.json'));
	await importInto(n8n, 'workflow', examples.map((name) => JSON.parse(readFileSync(path.join(ROOT, 'examples', name), 'utf8'))));
	if (setUpBeforeShortIds) await unpublishWorkflow(n8n, RETIRED_ACTIVE_EXAMPLE).catch(() => undefined);
	writeFileSync(shortIds, 'Example workflows have IDs of at most 16 characters (n8n 1.x).\n');
	await publishWorkflow(n8n, ACTIVE_EXAMPLE).catch((error: Error) => console.log(`Could not activate the example that answers incoming messages:\n${error.message}`));

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
  Bird sandbox:  ${sandbox.url}/_sandbox   (chat as a customer; what was sent; the "Bird sandbox" credential points here)
  Workflows:     ${examples.length} examples imported; open one and click "Execute workflow".
                 "Bird: answer incoming messages" is active: type "Hi" as Jane in the sandbox's chat and watch it answer.
Ctrl-C stops n8n and the sandbox.`);
}

main().catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
