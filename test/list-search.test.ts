import { useBirdServer } from './helpers/bird-server';
import { ACCESS_KEY, credentialsFor, loadOptions, searchList, WORKSPACE_ID } from './helpers/n8n';

const server = useBirdServer();

const channels = [
	{ id: '11111111-1111-4111-8111-111111111111', name: 'Support WhatsApp', platformId: 'whatsapp', identifier: '+31201234567', status: 'active' },
	{ id: '22222222-2222-4222-8222-222222222222', name: 'Alerts', platformId: 'sms-messagebird', identifier: '+31207654321', status: 'active' },
	{ id: '33333333-3333-4333-8333-333333333333', name: 'Newsletter', platformId: 'email-sparkpost', identifier: 'news@example.com', status: 'active' },
];

describe('Channel picker (searchChannels)', () => {
	beforeEach(() => {
		// Two pages: the first two channels, then the third.
		server.respond((request) => {
			const second = request.query.pageToken === 'page-2';
			return {
				status: 200,
				body: second ? { results: channels.slice(2) } : { results: channels.slice(0, 2), nextPageToken: 'page-2' },
			};
		});
	});

	test('lists a page with name, platform and sending identifier, and hands back the next page token', async () => {
		const page = await searchList({ type: 'birdSendMessage', method: 'searchChannels', credentials: credentialsFor(server.url) });
		expect(page).toEqual({
			results: [
				{ name: 'Support WhatsApp · WhatsApp · +31201234567', value: channels[0].id },
				{ name: 'Alerts · SMS · +31207654321', value: channels[1].id },
			],
			paginationToken: 'page-2',
		});
		const [request] = server.requests;
		expect(request.path).toBe(`/workspaces/${WORKSPACE_ID}/channels`);
		expect(request.headers.authorization).toBe(`AccessKey ${ACCESS_KEY}`);
	});

	test('the next page is asked for with pageToken; the last page has no token', async () => {
		const page = await searchList({
			type: 'birdSendMessage',
			method: 'searchChannels',
			credentials: credentialsFor(server.url),
			paginationToken: 'page-2',
		});
		expect(server.requests[0].query.pageToken).toBe('page-2');
		expect(page).toEqual({ results: [{ name: 'Newsletter · Email · news@example.com', value: channels[2].id }], paginationToken: undefined });
	});

	test('the filter matches name, platform or identifier, case-insensitively', async () => {
		const page = await searchList({ type: 'birdSendMessage', method: 'searchChannels', credentials: credentialsFor(server.url), filter: 'SMS' });
		expect(page.results.map((r) => r.value)).toEqual([channels[1].id]);
	});
});

describe('Lists multi-select (getLists)', () => {
	const vip = { id: '44444444-4444-4444-8444-444444444444', name: 'VIP', contactCount: 1 };
	const news = { id: '55555555-5555-4555-8555-555555555555', name: 'Newsletter', contactCount: 2 };

	test('a page token Bird hands back twice ends the reading, and each list is offered once', async () => {
		// Page 1, then page 2 whose token points at page 2 again (a loop on Bird's side).
		server.respond((request) => ({
			status: 200,
			body: request.query.pageToken ? { results: [news, vip], nextPageToken: 'page-2' } : { results: [vip], nextPageToken: 'page-2' },
		}));
		const options = await loadOptions({ type: 'bird', kind: 'loadOptions', method: 'getLists', credentials: credentialsFor(server.url) });
		expect(options).toEqual([
			{ name: 'VIP (1 contact)', value: vip.id },
			{ name: 'Newsletter (2 contacts)', value: news.id },
		]);
		expect(server.requests.map((request) => request.query.pageToken)).toEqual([undefined, 'page-2']);
	});
});
