/** `npm start`'s port check: a taken port is named before anything slow starts, with how to choose others. */
import type { Server } from 'node:http';
import { createServer } from 'node:http';

import { portFree, portProblem } from '../../scripts/ports';

const servers: Server[] = [];
async function hold(respond?: (url: string) => { status: number; body: string }): Promise<number> {
	const server = createServer((req, res) => {
		const answer = respond?.(req.url ?? '') ?? { status: 404, body: 'not here' };
		res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
	});
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return (server.address() as { port: number }).port;
}
afterAll(async () => {
	for (const server of servers) await new Promise((resolve) => server.close(resolve));
});

async function freePortNumber(): Promise<number> {
	const port = await hold();
	const server = servers.pop() as Server;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

test('free ports pass', async () => {
	const port = await freePortNumber();
	expect(await portFree(port)).toBe(true);
	expect(await portProblem([{ port, what: "n8n's editor and webhooks", variable: 'N8N_PORT' }])).toBeUndefined();
});

test('a port held by another n8n is named as such, with the variable and a command line with free ports', async () => {
	const port = await hold((url) => (url === '/healthz' ? { status: 200, body: '{"status":"ok"}' } : { status: 404, body: '' }));
	const free = await freePortNumber();
	const problem = await portProblem([
		{ port, what: "n8n's editor and webhooks", variable: 'N8N_PORT' },
		{ port: free, what: 'the Bird sandbox', variable: 'BIRD_SANDBOX_PORT' },
	]);
	expect(problem).toContain(`Port ${port} on 127.0.0.1 is already in use (probably another n8n): npm start needs it for n8n's editor and webhooks (N8N_PORT).`);
	expect(problem).not.toContain(`Port ${free}`);
	const suggested = /N8N_PORT=(\d+) BIRD_SANDBOX_PORT=(\d+) npm start/.exec(problem ?? '');
	expect(suggested).not.toBeNull();
	// The suggestion is usable: n8n's port, the one after it (task runners) and the sandbox's are free.
	const base = Number(suggested?.[1]);
	for (const candidate of [base, base + 1, Number(suggested?.[2])]) expect(await portFree(candidate)).toBe(true);
});

test('a port held by something else is named without guessing what holds it', async () => {
	const port = await hold();
	const problem = await portProblem([{ port, what: 'the Bird sandbox', variable: 'BIRD_SANDBOX_PORT' }]);
	expect(problem).toMatch(new RegExp(`^Port ${port} on 127\\.0\\.0\\.1 is already in use: npm start needs it for the Bird sandbox \\(BIRD_SANDBOX_PORT\\)\\.\\n`));
});
