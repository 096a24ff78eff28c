/**
 * n8n-core creates an SSHClientsManager (a DI singleton with a one-minute cleanup interval)
 * for every node execution context. n8n stops it at shutdown; the tests do the same after
 * each file, so that Jest can exit on its own.
 */
import { Container } from '@n8n/di';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';

afterAll(() => {
	Container.get(SSHClientsManager).onShutdown();
});
