/**
 * What a new user met in the editor and asked to be fixed (issue #13): numbers refused rather
 * than clamped, lookups that give up within seconds with a hint at the Base URL, docs links that
 * land on a README section, canvas subtitles in words, examples that fit the identifier type.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { ICredentialType, INodeProperties, INodeType } from 'n8n-workflow';

import { FIRST_INSTALL_COST } from '../scripts/n8n-install';
import { useBirdServer } from './helpers/bird-server';
import { credentialsFor, loadPackage, PACKAGE_ROOT, runNode, searchList } from './helpers/n8n';

const server = useBirdServer();

async function nodeTypes(): Promise<INodeType[]> {
	const loader = await loadPackage();
	return Object.values(loader.nodeTypes).map((entry) => entry.type as INodeType);
}

/** Every property of a node, nested ones included. */
function allProperties(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => [
		property,
		...allProperties((property.options ?? []).flatMap((option) => ('values' in option ? option.values : 'name' in option && 'type' in option ? [option as INodeProperties] : []))),
	]);
}

describe('numbers are refused, not clamped', () => {
	test('no number field has a min or max of its own (n8n would silently change a typed 200 to 90)', async () => {
		for (const type of await nodeTypes()) {
			const clamped = allProperties(type.description.properties).filter((property) => property.type === 'number' && (property.typeOptions?.minValue !== undefined || property.typeOptions?.maxValue !== undefined));
			expect({ node: type.description.name, clamped: clamped.map((property) => property.name) }).toEqual({ node: type.description.name, clamped: [] });
		}
	});

	test.each([
		[{ maxRequestsPerSecond: 600 }, 'Delivery › Max Requests per Second: 600 is not allowed', 'Use from 1 to 500.'],
		[{ maxRetries: 2.5 }, 'Delivery › Max Retries: 2.5 is not allowed', 'Use a whole number from 0 to 20.'],
		[{ timeout: 50 }, 'Delivery › Timeout (Milliseconds): 50 is not allowed', 'Use from 100 up.'],
	])('Delivery %j: refused before any request', async (delivery, message, description) => {
		const result = await runNode({
			type: 'birdSendMessage',
			parameters: { channelId: { __rl: true, mode: 'id', value: '5da69b04-d462-5efd-9b65-28dbae1e0482' }, identifierValue: '+31612345678', messageType: 'text', text: 'Hi', delivery },
			credentials: credentialsFor(server.url),
		});
		expect(result.error?.message).toBe(message);
		expect(result.error?.description).toBe(description);
		expect(server.requests).toHaveLength(0);
	});
});

describe('editor lookups fail fast', () => {
	test('a connection that breaks is tried twice, not six times', async () => {
		server.respond(() => ({ reset: true }));
		await expect(searchList({ type: 'birdSendMessage', method: 'searchChannels', credentials: credentialsFor(server.url) })).rejects.toThrow(/ECONNRESET/);
		expect(server.requests).toHaveLength(2);
	});

	test('nothing listening at the Base URL: the error says to check it, and names it', async () => {
		const closed = await new Promise<number>((resolve) => {
			const probe = createServer().listen(0, '127.0.0.1', () => {
				const { port } = probe.address() as { port: number };
				probe.close(() => resolve(port));
			});
		});
		const error = await searchList({ type: 'birdSendMessage', method: 'searchChannels', credentials: credentialsFor(`http://127.0.0.1:${closed}`) }).catch((caught: Error & { description?: string }) => caught);
		expect((error as Error).message).toBe('Could not reach Bird (ECONNREFUSED)');
		expect((error as { description?: string }).description).toContain(`Check the Base URL of the Bird credential: http://127.0.0.1:${closed}`);
	});
});

describe('docs links land on a README section', () => {
	/** GitHub's anchors for the README's headings. */
	const anchors = new Set(
		readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8')
			.split('\n')
			.filter((line) => /^#{1,6} /.test(line))
			.map((line) => line.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')),
	);

	test('every node and the credential link to an anchor the README has (n8n opens these URLs as they are)', async () => {
		const loader = await loadPackage();
		const urls = [
			...(await nodeTypes()).map((type) => type.description.documentationUrl),
			(loader.credentialTypes.birdChannelsApi.type as ICredentialType).documentationUrl,
		];
		expect(urls).toHaveLength(7);
		for (const url of urls) {
			const parsed = new URL(String(url));
			expect(parsed.origin + parsed.pathname).toBe('https://github.com/n8n-nodes-bird/n8n-nodes-bird');
			expect(anchors).toContain(parsed.hash.slice(1));
		}
	});
});

describe('the README and docs/ hold together', () => {
	/** GitHub's anchor for a heading. */
	const anchorOf = (heading: string) => heading.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
	const markdownFiles = ['README.md', ...readdirSync(path.join(PACKAGE_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
	const headings = (file: string) => new Set(readFileSync(path.join(PACKAGE_ROOT, file), 'utf8').split('\n').filter((line) => /^#{1,6} /.test(line)).map(anchorOf));

	test.each(markdownFiles)('%s: every relative link points at a file that exists, and every anchor at one of its headings', (file) => {
		const text = readFileSync(path.join(PACKAGE_ROOT, file), 'utf8');
		const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]).filter((link) => !/^(https?:|mailto:)/.test(link));
		for (const link of links) {
			const [target, anchor] = link.split('#');
			const resolved = target ? path.normalize(path.join(path.dirname(file), target)) : file;
			expect({ link, exists: existsSync(path.join(PACKAGE_ROOT, resolved)) }).toEqual({ link, exists: true });
			if (anchor && resolved.endsWith('.md')) expect({ link, anchor: headings(resolved).has(anchor) }).toEqual({ link, anchor: true });
		}
	});

	test("the README is the five-minute front door: under 150 lines, the first install's cost from the one place the script prints it", () => {
		const readme = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
		expect(readme.split('\n').length).toBeLessThan(150);
		expect(readme).toContain(FIRST_INSTALL_COST);
		// The README names the credential and the nodes as the editor does.
		for (const name of ['**Bird Channels API**', '## Bird Channels Trigger', '## Bird Channels\n', '## Send Message', '## Send and Wait for a Response']) expect(readme).toContain(name);
	});
});

describe('what the editor shows', () => {
	test('canvas subtitles in words: Send HTML email, Reply with location, Start with template', async () => {
		const subtitles = Object.fromEntries((await nodeTypes()).map((type) => [type.description.name, String(type.description.subtitle)]));
		const phrase = (node: string, messageType: string) => (JSON.parse(/\((\{.*\})\)/.exec(subtitles[node])![1]) as Record<string, string>)[messageType];
		expect(phrase('birdSendMessage', 'html')).toBe('Send HTML email');
		expect(phrase('birdSendMessage', 'text')).toBe('Send text');
		expect(phrase('birdReply', 'location')).toBe('Reply with location');
		expect(phrase('birdCreateConversation', 'template')).toBe('Start with template');
	});

	test("the recipient's example follows the identifier type", async () => {
		const send = (await nodeTypes()).find((type) => type.description.name === 'birdSendMessage')!;
		const examples = send.description.properties
			.filter((property) => property.name === 'identifierValue')
			.map((property) => [property.displayOptions?.show?.identifierKey, property.placeholder]);
		expect(examples).toEqual([
			[['phonenumber'], 'e.g. +31612345678'],
			[['emailaddress'], 'e.g. jane@example.com'],
			[['custom'], 'e.g. the value of your identifier key'],
		]);
	});

	test('required card fields are marked, so that the editor flags every empty one at once', async () => {
		const send = (await nodeTypes()).find((type) => type.description.name === 'birdSendMessage')!;
		const cards = allProperties(send.description.properties.filter((property) => property.name === 'carouselCards'));
		expect(cards.filter((property) => property.required).map((property) => property.name)).toEqual(['title', 'mediaUrl', 'linkText', 'linkUrl']);
	});
});

describe('the example workflows', () => {
	const examples = readdirSync(path.join(PACKAGE_ROOT, 'examples'))
		.filter((name) => name.endsWith('.json'))
		.map((name) => ({ name, workflow: JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'examples', name), 'utf8')) as { id: string; nodes: Array<{ webhookId?: string }> } }));

	test("IDs of at most 16 characters: n8n 1.x saves no static data (the trigger's subscription) for a longer one", () => {
		expect(examples.length).toBeGreaterThan(5);
		expect(examples.filter(({ workflow }) => !/^[A-Za-z0-9]{1,16}$/.test(workflow.id)).map(({ name, workflow }) => `${name}: ${workflow.id}`)).toEqual([]);
	});

	test('no two share an ID or a webhook ID (imported together, one would replace or block the other)', () => {
		const ids = examples.map(({ workflow }) => workflow.id);
		const webhookIds = examples.flatMap(({ workflow }) => workflow.nodes.map((node) => node.webhookId).filter(Boolean));
		expect(new Set(ids).size).toBe(ids.length);
		expect(new Set(webhookIds).size).toBe(webhookIds.length);
	});
});
