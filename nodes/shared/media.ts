/**
 * Media from an earlier node's binary data. A message type's media entry (image, file, carousel
 * card) offers a source: a URL, or a binary property of the input item. `readMedia` checks the
 * entry while the item is prepared (a missing, empty or too large file is refused before any
 * request) and returns either the URL or a `BinaryMedia` placeholder. When the item is sent,
 * `uploadMedia` uploads each placeholder through Bird's pre-signed upload and puts the returned
 * `mediaUrl` in its place.
 *
 * Bird's upload has two steps: a POST to Bird (with the access key) returns `mediaUrl`,
 * `uploadUrl`, `uploadMethod` and `uploadFormData`; then a multipart POST to `uploadUrl` (storage,
 * not Bird: no access key) sends every `uploadFormData` field unchanged and the file last, in the
 * field `file`. Both are paced like any request, and both may be repeated safely (a new slot, the
 * same file again), so a broken connection is retried too.
 *
 * A file in n8n's binary store (filesystem, database or S3 mode: its binary data has an `id`) is
 * read from the store as it is sent, so an upload holds a few chunks of it, whatever its size. A
 * file kept in the item (n8n's in-memory mode) is in memory already; its upload adds one copy.
 * At most two files of one node execution, and four of the whole process, are uploaded at once.
 */
import { randomBytes } from 'node:crypto';
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { WORKSPACE_PATH } from './descriptions/node';
import { birdApiError } from './transport/errors';
import { KeyedRegistry, Semaphore } from './transport/pacing';
import type { DeliverySettings } from './transport/request';
import { birdRequest, readJson } from './transport/request';
import type { FieldRef, ItemInput } from './validation';

/** Bird's largest upload. */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** Files of one node execution uploaded at once. */
const PARALLEL_UPLOADS = 2;
const uploadSlots = new KeyedRegistry<Semaphore>(60_000);

/**
 * Files uploaded at once by this n8n process, every execution together: each holds a connection
 * to storage, and a file kept in the item a copy of itself (up to 100 MiB).
 */
const PROCESS_UPLOADS = 4;
const processUploads = new Semaphore(PROCESS_UPLOADS);

/** How much of a stored file is read at a time; an upload holds a few such chunks. */
const CHUNK_BYTES = 64 * 1024;

/** A file of the input item, to be uploaded when the item is sent. */
export class BinaryMedia {
	constructor(
		readonly itemIndex: number,
		readonly property: string,
		readonly contentType: string,
		readonly fileName: string,
		readonly bytes: number,
	) {}

	toJSON(): string {
		return `<binary ${this.property}>`;
	}
}

/**
 * The source fields of a media entry, for a fixedCollection's values: Source (URL or binary),
 * then Media URL (shown for URL), then the binary property (shown for binary). Saved entries
 * have no `source` and keep meaning URL. `what` names the file in words, `example` is a URL.
 */
export function mediaSourceFields(what: string, example: string): INodeProperties[] {
	return [
		{
			displayName: 'Source',
			name: 'source',
			type: 'options',
			options: [
				{ name: 'URL', value: 'url', description: `A public http(s) URL of the ${what}` },
				{ name: 'Binary From the Input Item', value: 'binary', description: 'A file an earlier node made (Read Files, HTTP Request, …), uploaded to Bird' },
			],
			default: 'url',
		},
		{
			displayName: 'Media URL',
			name: 'mediaUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: example,
			description: `A public http(s) URL of the ${what}`,
			displayOptions: { show: { source: ['url'] } },
		},
		{
			displayName: 'Input Binary Field',
			name: 'binaryProperty',
			type: 'string',
			default: 'data',
			placeholder: 'e.g. data',
			hint: 'The name of the binary property of the input item that holds the file',
			displayOptions: { show: { source: ['binary'] } },
		},
	];
}

/** Base64 of `bytes` bytes is this long; the other way round, for binary data kept in the item. */
function base64Bytes(data: string): number {
	const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
	return Math.floor((data.length * 3) / 4) - padding;
}

/**
 * A media entry's source, checked: the URL, or the binary file as a placeholder. `contentType`
 * and `fileName` override what the binary data says about itself.
 */
export async function readMedia(
	input: ItemInput,
	entry: IDataObject,
	at: (label: string, name: string) => FieldRef,
	opts: {
		contentType?: string;
		fileName?: string;
		/** The kinds of file the entry takes (`image` for image/png…); any when absent. */
		kinds?: string[];
	},
): Promise<string | BinaryMedia> {
	if ((entry.source ?? 'url') !== 'binary') {
		return input.url(entry.mediaUrl, at('Media URL', 'mediaUrl'), { required: true }) as string;
	}
	const { context } = input;
	if (!context) throw new Error('Internal error: binary media needs the node execution');
	const field = at('Input Binary Field', 'binaryProperty');
	const property = (input.text(entry.binaryProperty, field, { required: true, example: 'data' }) as string).trim();
	const binary = context.getInputData()[input.itemIndex]?.binary?.[property];
	if (!binary) {
		const present = Object.keys(context.getInputData()[input.itemIndex]?.binary ?? {});
		input.fail(field, `the input item has no binary property "${property}"${present.length ? ` (it has ${present.map((name) => `"${name}"`).join(', ')})` : ' (it has no binary data)'}`, 'data');
	}
	const bytes =
		typeof binary.bytes === 'number'
			? binary.bytes
			: binary.id
				? Number((await context.helpers.getBinaryMetadata(binary.id)).fileSize)
				: base64Bytes(binary.data ?? '');
	if (!bytes) input.fail(field, `the file in "${property}" is empty`);
	if (bytes > MAX_UPLOAD_BYTES) {
		input.fail(field, `the file in "${property}" has ${(bytes / 2 ** 20).toFixed(1)} MiB; Bird takes at most 100 MiB`);
	}
	const contentType = opts.contentType || binary.mimeType || 'application/octet-stream';
	if (opts.kinds && !opts.kinds.includes(contentType.split('/')[0].toLowerCase())) {
		input.fail(
			field,
			`the file in "${property}" is ${contentType}, not ${opts.kinds.map((kind) => `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`).join(' or ')}`,
			`the binary property of a picture (image/jpeg, image/png)`,
		);
	}
	return new BinaryMedia(
		input.itemIndex,
		property,
		contentType,
		opts.fileName || binary.fileName || `${property}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`,
		bytes,
	);
}

/** Where an item's uploads go: the workspace's channel media, or a conversation. */
export type UploadTarget = { channel: true } | { conversationId: string };

/** Bird's answer to a pre-signed upload request. */
interface PresignedUpload {
	mediaUrl: string;
	uploadUrl: string;
	uploadMethod?: string;
	uploadFormData?: Record<string, string>;
}

/** A multipart/form-data frame around the file: the fields in their order and the file's part headers, then the end. */
interface MultipartFrame {
	head: Buffer;
	tail: Buffer;
	contentType: string;
}

function multipartFrame(fields: Record<string, string>, file: { name: string; type: string }): MultipartFrame {
	const boundary = `----n8n-bird-${randomBytes(12).toString('hex')}`;
	const quote = (value: string) => value.replace(/"/g, '%22').replace(/\r|\n/g, ' ');
	const parts = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`);
	parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(file.name)}"\r\nContent-Type: ${file.type}\r\n\r\n`);
	return { head: Buffer.from(parts.join('')), tail: Buffer.from(`\r\n--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * The body of a file kept in the item as base64: decoded straight into the one buffer that is
 * sent, so the upload adds one copy of the file, not two (decoded, then framed).
 */
function bufferedBody(base64: string, frame: MultipartFrame): Buffer {
	// byteLength is never short of what base64 decodes to; what is left over is cut off.
	const body = Buffer.allocUnsafe(frame.head.length + Buffer.byteLength(base64, 'base64') + frame.tail.length);
	frame.head.copy(body);
	const fileEnd = frame.head.length + body.write(base64, frame.head.length, 'base64');
	frame.tail.copy(body, fileEnd);
	return body.subarray(0, fileEnd + frame.tail.length);
}

type BinaryStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;
/** Readable's static `from`, which every stream class inherits: shipped code may not import node:stream. */
type StreamFrom = { from(chunks: AsyncIterable<Buffer>, options: { objectMode: boolean }): BinaryStream };

/**
 * The body of a file in n8n's binary store, read from the store as the HTTP layer takes it. A
 * stream is sent once: each attempt makes its own (freshBody), and the file is closed when the
 * body is destroyed, whether or not it was ever read.
 */
async function streamedBody(context: IExecuteFunctions, binaryDataId: string, frame: MultipartFrame, bytes: number): Promise<BinaryStream> {
	const file = await context.helpers.getBinaryStream(binaryDataId, CHUNK_BYTES);
	const body = (file.constructor as unknown as StreamFrom).from(framed(file, frame, bytes), { objectMode: false });
	body.once('close', () => file.destroy());
	return body;
}

/** The frame's head, the file, its tail. Content-Length went ahead, so a file of another size fails the upload. */
async function* framed(file: AsyncIterable<Buffer>, frame: MultipartFrame, bytes: number): AsyncGenerator<Buffer> {
	yield frame.head;
	let read = 0;
	for await (const chunk of file) {
		read += chunk.length;
		if (read > bytes) break;
		yield chunk;
	}
	if (read !== bytes) throw new Error(`The file has ${read > bytes ? 'more' : 'fewer'} bytes in n8n's binary data store than the ${bytes} its binary data says`);
	yield frame.tail;
}

/** The input item's binary data of a file to upload. */
function binaryOf(context: IExecuteFunctions, media: BinaryMedia): IBinaryData {
	const binary = context.getInputData()[media.itemIndex]?.binary?.[media.property];
	if (!binary) throw new Error(`Internal error: the binary property "${media.property}" of item ${media.itemIndex} is gone`);
	return binary;
}

/** Uploads one file through Bird's pre-signed upload; returns the `mediaUrl` to put in the message. */
async function upload(
	context: IExecuteFunctions,
	media: BinaryMedia,
	target: UploadTarget,
	settings: DeliverySettings,
	halted?: () => boolean,
): Promise<string> {
	const path =
		'conversationId' in target
			? `${WORKSPACE_PATH}/conversations/${encodeURIComponent(target.conversationId)}/presigned-upload`
			: `${WORKSPACE_PATH}/channel-media/presigned-upload`;
	const slots = uploadSlots.get(`${context.getExecutionId()}|${context.getNode().name}`, () => new Semaphore(PARALLEL_UPLOADS));
	// Always in this order, the execution's slot then the process's: two uploads never wait on each other.
	const release = await slots.acquire();
	const releaseShared = await processUploads.acquire();
	try {
		const options = { itemIndex: media.itemIndex, settings, halted, idempotent: true };
		const answer = readJson(context, await birdRequest(context, { method: 'POST', url: path, body: { contentType: media.contentType } }, options), media.itemIndex);
		const slot = checkedSlot(context, answer, media.itemIndex);
		await sendToStorage(context, media, slot, options);
		return slot.mediaUrl;
	} finally {
		releaseShared();
		release();
	}
}

/** The multipart POST of the file to the storage slot Bird handed out. */
async function sendToStorage(
	context: IExecuteFunctions,
	media: BinaryMedia,
	slot: PresignedUpload,
	options: { itemIndex: number; settings: DeliverySettings; halted?: () => boolean; idempotent: boolean },
): Promise<void> {
	const frame = multipartFrame(slot.uploadFormData ?? {}, { name: media.fileName, type: media.contentType });
	const request = { method: 'POST' as const, url: slot.uploadUrl, headers: { 'content-type': frame.contentType } };
	const { id, data } = binaryOf(context, media);
	if (!id) {
		await birdRequest(context, { ...request, body: bufferedBody(data, frame) }, { ...options, storage: true });
		return;
	}
	// Storage (S3) wants the length ahead of a body it cannot measure.
	const headers = { ...request.headers, 'content-length': frame.head.length + media.bytes + frame.tail.length };
	const freshBody = async () => await streamedBody(context, id, frame, media.bytes);
	// Redirects are not followed: to send the body again after one, n8n's HTTP layer (follow-redirects)
	// keeps every byte it sent, the whole file. S3 answers 303 to a stored upload that asked for it
	// (success_action_redirect); any other redirect stored nothing.
	const response = await birdRequest(context, { ...request, headers, disableFollowRedirect: true }, { ...options, storage: true, freshBody });
	if (response.statusCode >= 300 && response.statusCode !== 303) {
		throw birdApiError(context.getNode(), response, { itemIndex: media.itemIndex, attempts: 1, storage: true });
	}
}

/** Bird's answer to an upload request, checked: where to upload, how, and the URL to send. */
function checkedSlot(context: IExecuteFunctions, answer: IDataObject, itemIndex: number): PresignedUpload {
	const problem =
		typeof answer.mediaUrl !== 'string' || !answer.mediaUrl
			? 'no mediaUrl'
			: typeof answer.uploadUrl !== 'string' || !/^https?:\/\//.test(answer.uploadUrl)
				? 'no uploadUrl'
				: answer.uploadMethod !== undefined && String(answer.uploadMethod).toUpperCase() !== 'POST'
					? `upload method ${String(answer.uploadMethod)}, where a form POST was expected`
					: answer.uploadFormData !== undefined && (typeof answer.uploadFormData !== 'object' || answer.uploadFormData === null)
						? 'uploadFormData that is not an object'
						: undefined;
	if (problem) {
		const message = `Bird's answer to the upload request has ${problem}`;
		throw new NodeApiError(context.getNode(), { message }, { message, description: 'The file was not uploaded and the message was not sent.', itemIndex });
	}
	const formData = Object.fromEntries(Object.entries((answer.uploadFormData ?? {}) as IDataObject).map(([name, value]) => [name, String(value)]));
	return { mediaUrl: answer.mediaUrl as string, uploadUrl: answer.uploadUrl as string, uploadFormData: formData };
}

/** Replaces every BinaryMedia in a request body with the mediaUrl of its upload, one file at a time. */
export async function uploadMedia(
	context: IExecuteFunctions,
	body: IDataObject,
	target: UploadTarget,
	settings: DeliverySettings,
	halted?: () => boolean,
): Promise<void> {
	const visit = async (value: unknown): Promise<void> => {
		if (!value || typeof value !== 'object') return;
		for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
			if (child instanceof BinaryMedia) (value as Record<string, unknown>)[key] = await upload(context, child, target, settings, halted);
			else await visit(child);
		}
	};
	await visit(body);
}

/** Whether a request body still holds files to upload. */
export function hasMedia(value: unknown): boolean {
	if (value instanceof BinaryMedia) return true;
	if (!value || typeof value !== 'object') return false;
	return Object.values(value as Record<string, unknown>).some(hasMedia);
}
