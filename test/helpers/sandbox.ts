import { BirdSandbox, SANDBOX } from '../../scripts/sandbox/server';
import { credentialsFor } from './n8n';

/** The Bird sandbox for one test file: started before its tests, cleared before each, stopped after. */
export function useSandbox(): BirdSandbox {
	const sandbox = new BirdSandbox();
	beforeAll(async () => {
		await sandbox.start();
	});
	afterAll(async () => {
		await sandbox.stop();
	});
	beforeEach(() => sandbox.clear());
	return sandbox;
}

/** A credential for the sandbox's workspace, with its access key (and, if asked, the key's participant ID). */
export function sandboxCredentials(sandbox: BirdSandbox, more: { accessKeyId?: string } = {}) {
	return credentialsFor(sandbox.url, { apiKey: SANDBOX.accessKey, workspaceId: SANDBOX.workspaceId, ...more });
}
