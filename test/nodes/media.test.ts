/**
 * Media from an earlier node's binary data, against the sandbox: Bird's pre-signed upload (a POST
 * to Bird, then a multipart POST to storage), then the message with the returned mediaUrl. Send
 * Message and Create Conversation upload through the channel-media endpoint, Reply through the
 * conversation's.
 */
import type { IBinaryKeyData, IDataObject } from 'n8n-workflow';
import { randomBytes } from 'node:crypto';

import { SANDBOX } from '../../scripts/sandbox/server';
import type { Upload } from '../../scripts/sandbox/media';
import { runNode } from '../helpers/n8n';
import { sandboxCredentials, useSandbox } from '../helpers/sandbox';

const sandbox = useSandbox();

/** A small PNG-ish file and a PDF-ish one, as Read Files from Disk would give them. */
const PICTURE = Buffer.from('\x89PNG\r\n\x1a\n fake picture bytes', 'binary');
const INVOICE = Buffer.from('%PDF-1.4 invoice 1234');
const binary = (data: Buffer, mimeType: string, fileName: string, property = 'data'): IBinaryKeyData => ({
	[property]: { data: data.toString('base64'), mimeType, fileName, fileExtension: fileName.split('.').pop() },
});

const sms = { __rl: true, mode: 'id', value: SANDBOX.channels.sms };
const whatsapp = { __rl: true, mode: 'id', value: SANDBOX.channels.whatsapp };

/** The uploads stored, oldest first. */
const stored = (): Upload[] => [...sandbox.media.uploads.values()].filter((upload) => upload.stored);
/** What the sandbox saw, as "METHOD path" with IDs and tokens cut to their route. */
const routes = () =>
	sandbox.log.map(({ method, path }) =>
		`${method} ${path.replace(/\/workspaces\/[^/]+/, '').replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')}`,
	);

function expectUploadedAsBird(upload: Upload, file: Buffer, contentType: string, filename: string) {
	const { stored: got } = upload;
	expect(got).toBeDefined();
	// Every field Bird handed out, unchanged and in its order, then the file, last, in `file`.
	expect(got!.parts).toEqual([
		...Object.entries(upload.formData).map(([name, value]) => ({ name, value })),
		{ name: 'file', filename },
	]);
	expect(got!.data.equals(file)).toBe(true);
	expect(got!.contentType).toBe(contentType);
	// Storage is not Bird: the access key does not go there.
	expect(got!.headers.authorization).toBeUndefined();
	expect(JSON.stringify(got!.headers)).not.toContain(SANDBOX.accessKey);
	expect(upload.contentType).toBe(contentType);
}

describe('media from binary data', () => {
	test('Send Message, image: uploaded through channel-media, then sent with the mediaUrl Bird gave', async () => {
		const result = await runNode({
			type: 'birdSendMessage',
			parameters: {
				channelId: whatsapp,
				identifierValue: SANDBOX.openContact.phone,
				messageType: 'image',
				images: { image: [{ source: 'binary', binaryProperty: 'data', altText: 'Your parcel' }] },
				text: 'Here it is',
			},
			binary: [binary(PICTURE, 'image/png', 'parcel.png')],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		expect(routes()).toEqual(['POST /channel-media/presigned-upload', 'POST /_storage/:id', 'POST /channels/:id/messages']);
		const [upload] = stored();
		expectUploadedAsBird(upload, PICTURE, 'image/png', 'parcel.png');
		expect(upload.scope).toBe('channel-media');
		const [message] = sandbox.messages;
		expect(message.body).toEqual({
			type: 'image',
			image: { images: [{ mediaUrl: `${sandbox.url}/_media/${upload.id}`, altText: 'Your parcel' }], text: 'Here it is' },
		});
		expect(result.outputs[0][0].json.id).toBe(message.id);
		// The file Bird stored is the file the message points at.
		const served = await fetch(String((((message.body as IDataObject).image as IDataObject).images as IDataObject[])[0].mediaUrl));
		expect(Buffer.from(await served.arrayBuffer()).equals(PICTURE)).toBe(true);
	});

	test('Send Message, file: content type and file name from the binary data, unless set; one upload per item', async () => {
		const result = await runNode({
			type: 'birdSendMessage',
			parameters: {
				channelId: sms,
				identifierValue: '={{ $json.phone }}',
				messageType: 'file',
				files: { file: [{ source: 'binary', binaryProperty: 'invoice', binaryContentType: '={{ $json.type }}', filename: '={{ $json.name }}' }] },
			},
			items: [
				{ phone: '+31600000001', type: '', name: '' },
				{ phone: '+31600000002', type: 'application/x-pdf', name: 'Invoice 1234.pdf' },
			],
			binary: [binary(INVOICE, 'application/pdf', 'invoice-1234.pdf', 'invoice'), binary(INVOICE, 'application/pdf', 'invoice-1234.pdf', 'invoice')],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const uploads = stored();
		expect(uploads).toHaveLength(2);
		const files = sandbox.messages.map((message) => (((message.body as IDataObject).file as IDataObject).files as IDataObject[])[0]);
		const byUpload = (file: IDataObject) => uploads.find((upload) => file.mediaUrl === `${sandbox.url}/_media/${upload.id}`);
		const first = files.find((file) => file.filename === 'invoice-1234.pdf')!;
		const second = files.find((file) => file.filename === 'Invoice 1234.pdf')!;
		expect(first).toMatchObject({ contentType: 'application/pdf' });
		expect(second).toMatchObject({ contentType: 'application/x-pdf' });
		expectUploadedAsBird(byUpload(first)!, INVOICE, 'application/pdf', 'invoice-1234.pdf');
		expectUploadedAsBird(byUpload(second)!, INVOICE, 'application/x-pdf', 'Invoice 1234.pdf');
		expect(result.outputs[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	test('Create Conversation: the first message’s file goes through channel-media', async () => {
		const result = await runNode({
			type: 'birdCreateConversation',
			parameters: {
				channelId: whatsapp,
				identifierValue: SANDBOX.openContact.phone,
				messageType: 'file',
				files: { file: [{ source: 'binary', binaryProperty: 'data' }] },
			},
			binary: [binary(INVOICE, 'application/pdf', 'invoice.pdf')],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		expect(routes()).toEqual(['POST /channel-media/presigned-upload', 'POST /_storage/:id', 'POST /conversations']);
		const [upload] = stored();
		expectUploadedAsBird(upload, INVOICE, 'application/pdf', 'invoice.pdf');
		const conversation = sandbox.conversations.get(String(result.outputs[0][0].json.id))!;
		expect((conversation.messages[0] as IDataObject).body).toEqual({
			type: 'file',
			file: { files: [{ mediaUrl: `${sandbox.url}/_media/${upload.id}`, contentType: 'application/pdf', filename: 'invoice.pdf' }] },
		});
	});

	test("Reply: uploaded through the conversation's own pre-signed upload", async () => {
		const inbound = await sandbox.inbound({ identifierValue: SANDBOX.openContact.phone, text: 'Can I have the invoice?' });
		sandbox.log.length = 0;
		const result = await runNode({
			type: 'birdReply',
			parameters: {
				conversationId: String(inbound.conversationId),
				messageType: 'file',
				files: { file: [{ source: 'binary', binaryProperty: 'data' }] },
				text: 'Attached',
			},
			binary: [binary(INVOICE, 'application/pdf', 'invoice.pdf')],
			credentials: sandboxCredentials(sandbox, { accessKeyId: SANDBOX.accessKeyId }),
		});
		expect(result.error).toBeUndefined();
		expect(routes()).toEqual(['POST /conversations/:id/presigned-upload', 'POST /_storage/:id', 'POST /conversations/:id/messages']);
		const [upload] = stored();
		expect(upload.scope).toBe(inbound.conversationId);
		expectUploadedAsBird(upload, INVOICE, 'application/pdf', 'invoice.pdf');
		const reply = sandbox.messages.find((message) => message.direction === 'outgoing')!;
		expect(((reply.body as IDataObject).file as IDataObject).files).toEqual([
			{ mediaUrl: `${sandbox.url}/_media/${upload.id}`, contentType: 'application/pdf', filename: 'invoice.pdf' },
		]);
	});

	// Decoded straight into the body that is sent: every padding of base64 ends where the file does.
	test.each([
		['no padding', 3 * 2 ** 18],
		['"==" padding', 3 * 2 ** 18 + 1],
		['"=" padding', 3 * 2 ** 18 + 2],
	])('a file kept in the item as base64 (%s) arrives byte-identical', async (_padding, size) => {
		const file = randomBytes(size);
		const result = await runNode({
			type: 'birdSendMessage',
			parameters: { channelId: sms, identifierValue: '+31600000001', messageType: 'file', files: { file: [{ source: 'binary', binaryProperty: 'data' }] } },
			binary: [binary(file, 'application/pdf', 'report.pdf')],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		const [upload] = stored();
		expectUploadedAsBird(upload, file, 'application/pdf', 'report.pdf');
		expect(upload.stored!.headers['content-length']).toBeDefined();
		expect(sandbox.messages).toHaveLength(1);
	});

	test('carousel cards mix URLs and binary pictures; batch mode uploads before the batch goes out', async () => {
		const card = (title: string, media: IDataObject) => ({ title, ...media, linkText: 'Buy', linkUrl: 'https://example.com/buy' });
		const result = await runNode({
			type: 'birdSendMessage',
			parameters: {
				channelId: whatsapp,
				identifierValue: '={{ $json.phone }}',
				messageType: 'carousel',
				carouselCards: { card: [card('Blue', { source: 'binary', binaryProperty: 'data' }), card('Red', { mediaUrl: 'https://example.com/red.jpg' })] },
				sendMode: 'batch',
			},
			items: [{ phone: SANDBOX.openContact.phone }, { phone: SANDBOX.openContact.phone }],
			binary: [binary(PICTURE, 'image/jpeg', 'blue.jpg'), binary(PICTURE, 'image/jpeg', 'blue.jpg')],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error).toBeUndefined();
		expect(stored()).toHaveLength(2);
		expect(routes().filter((route) => route.startsWith('POST /channels'))).toEqual(['POST /channels/:id/batch/messages']);
		expect(result.outputs[0].map((item) => [item.json.status, item.json.batchPosition])).toEqual([['sent', 0], ['sent', 1]]);
		const items = sandbox.messages.map((message) => (((message.body as IDataObject).carousel as IDataObject).items as IDataObject[]).map((item) => item.mediaUrl));
		for (const [blue, red] of items) {
			expect(blue).toMatch(new RegExp(`^${sandbox.url}/_media/`));
			expect(red).toBe('https://example.com/red.jpg');
		}
	});
});

describe('binary data refused before any request, naming the item and the property', () => {
	const imageFrom = (binaryProperty: string) => ({
		channelId: sms,
		identifierValue: '+31600000001',
		messageType: 'image',
		images: { image: [{ source: 'binary', binaryProperty }] },
	});

	test.each([
		['a property the item does not have', imageFrom('picture'), [binary(PICTURE, 'image/png', 'a.png')], /^Images › Image 1 › Input Binary Field: the input item has no binary property "picture" \(it has "data"\) \(item 0\)$/],
		['an item without binary data', imageFrom('data'), [undefined], /^Images › Image 1 › Input Binary Field: the input item has no binary property "data" \(it has no binary data\) \(item 0\)$/],
		['an empty file', imageFrom('data'), [binary(Buffer.alloc(0), 'image/png', 'empty.png')], /^Images › Image 1 › Input Binary Field: the file in "data" is empty \(item 0\)$/],
		['a PDF where a picture goes', imageFrom('data'), [binary(Buffer.from('%PDF'), 'application/pdf', 'a.pdf')], /^Images › Image 1 › Input Binary Field: the file in "data" is application\/pdf, not an image \(item 0\)$/],
		[
			'a file over 100 MiB',
			imageFrom('data'),
			[{ data: { data: PICTURE.toString('base64'), mimeType: 'video/mp4', fileName: 'film.mp4', bytes: 101 * 1024 * 1024 } }],
			/^Images › Image 1 › Input Binary Field: the file in "data" has 101\.0 MiB; Bird takes at most 100 MiB \(item 0\)$/,
		],
	] as Array<[string, IDataObject, Array<IBinaryKeyData | undefined>, RegExp]>)('%s', async (_name, parameters, binaryData, message) => {
		const result = await runNode({ type: 'birdSendMessage', parameters, binary: binaryData, credentials: sandboxCredentials(sandbox) });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toContain('Parameter "images.image[0].binaryProperty" of input item 0');
		expect(sandbox.log).toEqual([]);
	});

	/** One picture through Send Message, continuing on failure: the item's output. */
	const sendPicture = async (more: IDataObject = {}) =>
		await runNode({
			type: 'birdSendMessage',
			parameters: { ...imageFrom('data'), ...more },
			binary: [binary(PICTURE, 'image/png', 'a.png')],
			credentials: sandboxCredentials(sandbox),
			continueOnFail: true,
		});

	test('Stop mode: a bad file in item 2 stops the node before item 1 is uploaded or sent', async () => {
		const result = await runNode({
			type: 'birdSendMessage',
			parameters: imageFrom('data'),
			items: [{}, {}, {}],
			binary: [binary(PICTURE, 'image/png', 'a.png'), binary(PICTURE, 'image/png', 'b.png'), undefined],
			credentials: sandboxCredentials(sandbox),
		});
		expect(result.error?.message).toMatch(/\(item 2\)$/);
		expect(sandbox.log).toEqual([]);
	});

	test("storage refusing the upload: that item fails with storage's answer, its message is not sent, the key is nowhere", async () => {
		// The upload slot has expired before the node gets to it: storage answers 403.
		const original = sandbox.media.presign.bind(sandbox.media);
		sandbox.media.presign = (contentType, scope) => {
			const answer = original(contentType, scope);
			sandbox.media.uploads.get(String(answer.uploadUrl).split('/').pop()!)!.expired = true;
			return answer;
		};
		try {
			const result = await sendPicture();
			const [item] = result.outputs[0];
			expect(item.json.error).toMatch(/^Bird's upload storage answered 403: .*AccessDenied.*Policy expired/);
			expect((item.json.errorDetails as IDataObject).description).toContain('the upload slot may have expired');
			expect(sandbox.messages).toEqual([]);
			expect(routes()).toEqual(['POST /channel-media/presigned-upload', 'POST /_storage/:id']);
			expect(JSON.stringify(result.run)).not.toContain(SANDBOX.accessKey);
		} finally {
			sandbox.media.presign = original;
		}
	});

	test('a broken connection or a 503 from storage: the upload is repeated (it is safe to), the message goes out once', async () => {
		sandbox.faults.push({ mode: 'reset', count: 1, scope: 'storage' }, { mode: '503', count: 1, scope: 'storage' });
		const result = await sendPicture({ delivery: { retryDelay: 10 } });
		expect(result.outputs[0][0].json.error).toBeUndefined();
		expect(routes()).toEqual(['POST /channel-media/presigned-upload', 'POST /_storage/:id', 'POST /_storage/:id', 'POST /_storage/:id', 'POST /channels/:id/messages']);
		expect(stored()).toHaveLength(1);
		expect(sandbox.messages).toHaveLength(1);
	});

	test("an unreadable answer to the upload request: the item fails, saying it is safe to run again; nothing is sent", async () => {
		sandbox.faults.push({ mode: 'malformed', count: 1 });
		const [item] = (await sendPicture()).outputs[0];
		expect(item.json.error).toBe("Bird's answer (HTTP 200) could not be read as JSON");
		expect((item.json.errorDetails as IDataObject).description).toMatch(/^Nothing was sent with it, so it is safe to run the node again/);
		expect(routes()).toEqual(['POST /channel-media/presigned-upload']);
		expect(sandbox.messages).toEqual([]);
	});
});
