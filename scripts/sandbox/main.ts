/** Runs the Bird sandbox on its own: `node .cache/scripts/sandbox/main.js [port]`. */
import { BirdSandbox, SANDBOX } from './server';

async function main() {
	const port = Number(process.argv[2] ?? process.env.BIRD_SANDBOX_PORT ?? 5680);
	const sandbox = await new BirdSandbox().start(port);
	console.log(`Bird sandbox on ${sandbox.url} (workspace ${SANDBOX.workspaceId}, access key "${SANDBOX.accessKey}")`);
	console.log(`What was sent: ${sandbox.url}/_sandbox`);
	const stop = () => void sandbox.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main();
