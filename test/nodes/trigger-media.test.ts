/**
 * Bird Channels Trigger › Download Media: a customer's photo, voice note and PDF arrive as binary
 * data, fetched from the sandbox's media host with the access key (it refuses requests without
 * it); a file that cannot be fetched is named in mediaErrors and the item still arrives.
 */
import type { IDataObject } from 'n8n-workflow';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { SANDBOX } from '../../scripts/sandbox/server';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';
import { useTriggerHarness } from '../helpers/trigger';
import { BinaryDataService } from 'n8n-core';
import { Container } from '@n8n/di';

const sandbox = useSandbox();
const whatsapp = { __rl: true, mode: 'list', value: SANDBOX.channels.whatsapp };
const harness = useTriggerHarness({}, () => ({ ...sandboxCredentials(sandbox), organizationId: SANDBOX.organizationId }));

beforeAll(async () => {
	// n8n keeps binary data in memory unless told otherwise; the helpers need the service set up, as n8n does at start.
	await Container.get(BinaryDataService).init();
});

async function activate(options: IDataObject) {
	for (const subscription of [...sandbox.webhooks.subscriptions]) sandbox.webhooks.remove(subscription.id);
	harness.typeVersion = 2;
	harness.parameters = { channelId: whatsapp, events: ['inbound'], options: { waitingAnswers: 'start', ...options } };
	harness.staticData.production = {};
	harness.started.length = 0;
	harness.startedBinary.length = 0;
	sandbox.webhooks.retryDelaysMs = [];
	await harness.hook('create');
}

/** The sandbox's PDF, as its media host serves it. */
const CUSTOMER_PDF = () => [...sandbox.customerMedia.values()].find((file) => file.contentType === 'application/pdf')?.data ?? Buffer.alloc(0);

const mediaRequests = () => sandbox.log.filter((entry) => entry.path.startsWith('/media/'));

test('a photo, a voice note and a PDF: binary data with their names and types, fetched with the access key', async () => {
	await activate({ downloadMedia: true });
	for (const kind of ['image', 'voice', 'pdf'] as const) {
		await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, body: sandbox.customerFile(kind, `my ${kind}`) });
	}
	const binaries = harness.startedBinary.map((items) => items[0]?.data);
	expect(binaries.map((binary) => [binary?.mimeType, binary?.fileName])).toEqual([
		['image/png', 'photo.png'.replace('photo', 'image-1')],
		['audio/ogg', 'voice-note.ogg'],
		['application/pdf', 'invoice.pdf'],
	]);
	// Stored as n8n stores binary data (its filesystem mode here), the bytes as the customer sent them.
	const pdf = await Container.get(BinaryDataService).getAsBuffer(binaries[2] as never);
	expect(pdf.equals(CUSTOMER_PDF())).toBe(true);
	expect(harness.started.map((items) => items[0].mediaErrors)).toEqual([undefined, undefined, undefined]);
	expect(mediaRequests().map((entry) => entry.status)).toEqual([200, 200, 200]);
});

test('off by default: no download, the media URL only', async () => {
	await activate({});
	await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, body: sandbox.customerFile('image') });
	expect(harness.startedBinary[0][0]).toBeUndefined();
	expect(mediaRequests()).toEqual([]);
});

test('too large: the item arrives without the file, and mediaErrors says why', async () => {
	await activate({ downloadMedia: true, maxMediaSizeMb: 0.001 });
	await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, body: sandbox.customerFile('voice') });
	const [item] = harness.started[0];
	expect(harness.startedBinary[0][0]).toBeUndefined();
	expect(item.mediaErrors).toEqual([expect.objectContaining({ kind: 'audio', error: expect.stringMatching(/^The media file has 0\.0 MiB, more than the 0\.0 MiB allowed|larger than the/) })]);
});

test('a file on a host that is not Bird: fetched without the access key, which never leaves for a stranger', async () => {
	const seen: Array<string | undefined> = [];
	const stranger = createServer((req, res) => {
		seen.push(req.headers.authorization);
		res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('png'));
	});
	await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
	try {
		await activate({ downloadMedia: true });
		const url = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}/picture.png`;
		await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, body: { type: 'image', image: { images: [{ mediaUrl: url }] } } });
		expect(seen).toEqual([undefined]);
		expect(harness.startedBinary[0][0]?.data?.fileName).toBe('picture.png');
	} finally {
		await new Promise((resolve) => stranger.close(resolve));
	}
});

test('a file the media host refuses (gone): the item arrives, mediaErrors names the file', async () => {
	await activate({ downloadMedia: true });
	const body = sandbox.customerFile('pdf');
	sandbox.customerMedia.clear();
	await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, body });
	const [item] = harness.started[0];
	expect(item.text).toBeNull();
	expect(item.mediaErrors).toEqual([expect.objectContaining({ kind: 'application', mediaUrl: expect.stringContaining('/media/'), error: expect.stringMatching(/No such media|404/) })]);
});
