import { useBirdServer } from './helpers/bird-server';
import { ACCESS_KEY, credentialsFor, testCredential, WORKSPACE_ID } from './helpers/n8n';

const server = useBirdServer();

describe('Bird API credential test', () => {
	test('a valid key: one cheap workspace-scoped request, with the AccessKey header', async () => {
		server.respond(() => ({ status: 200, body: { results: [], nextPageToken: '' } }));
		expect(await testCredential(credentialsFor(server.url))).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(server.requests).toHaveLength(1);
		const [request] = server.requests;
		expect(request.method).toBe('GET');
		expect(request.path).toBe(`/workspaces/${WORKSPACE_ID}/channels`);
		expect(request.query).toEqual({ limit: '1' });
		expect(request.headers.authorization).toBe(`AccessKey ${ACCESS_KEY}`);
	});

	test('a trailing slash on the base URL does not double the slash', async () => {
		server.respond(() => ({ status: 200, body: { results: [] } }));
		await testCredential(credentialsFor(`${server.url}/`));
		expect(server.requests[0].path).toBe(`/workspaces/${WORKSPACE_ID}/channels`);
	});

	test('401 becomes a sentence the user can act on', async () => {
		server.respond(() => ({ status: 401, body: { code: 'Unauthorized', message: 'unauthorized' } }));
		const result = await testCredential(credentialsFor(server.url));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Check the Access Key/);
	});

	test.each([403, 404])('%i names the key and the workspace as what to check', async (status) => {
		server.respond(() => ({ status, body: { code: 'NotFound', message: 'workspace not found' } }));
		const result = await testCredential(credentialsFor(server.url));
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/Access Key.*Workspace ID/) });
	});

	test('a bk_ platform key is named as such and never sent', async () => {
		const result = await testCredential(credentialsFor(server.url, { apiKey: 'bk_eu1_abcdef0123456789' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/newer platform API/);
		expect(result.message).not.toContain('bk_eu1_abcdef0123456789');
		expect(server.requests).toHaveLength(0);
	});

	test('a workspace ID that is not a UUID is refused before any request', async () => {
		const result = await testCredential(credentialsFor(server.url, { workspaceId: 'my-workspace' }));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/must be a UUID/);
		expect(server.requests).toHaveLength(0);
	});
});
