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
 * same file again), so a broken connection is retried too. At most two files of one node
 * execution are in memory at a time.
 */
import { randomBytes } from 'node:crypto';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { WORKSPACE_PATH } from './descriptions/node';
import { KeyedRegistry, Semaphore } from './transport/pacing';
import type { DeliverySettings } from './transport/request';
import { birdRequest, readJson } from './transport/request';
import type { FieldRef, ItemInput } from './validation';

/** Bird's largest upload. */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** Files of one node execution uploaded at once: each is read into memory whole. */
const PARALLEL_UPLOADS = 2;
const uploadSlots = new KeyedRegistry<Semaphore>(60_000);

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

/** A multipart/form-data body: the fields in their order, the file last. */
function multipart(fields: Record<string, string>, file: { name: string; type: string; data: Buffer }): { body: Buffer; contentType: string } {
	const boundary = `----n8n-bird-${randomBytes(12).toString('hex')}`;
	const quote = (value: string) => value.replace(/"/g, '%22').replace(/\r|\n/g, ' ');
	const parts: Buffer[] = Object.entries(fields).map(([name, value]) =>
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`),
	);
	parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(file.name)}"\r\nContent-Type: ${file.type}\r\n\r\n`));
	parts.push(file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
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
	const release = await slots.acquire();
	try {
		const options = { itemIndex: media.itemIndex, settings, halted, idempotent: true };
		const answer = readJson(context, await birdRequest(context, { method: 'POST', url: path, body: { contentType: media.contentType } }, options), media.itemIndex);
		const slot = checkedSlot(context, answer, media.itemIndex);
		const data = await context.helpers.getBinaryDataBuffer(media.itemIndex, media.property);
		const form = multipart(slot.uploadFormData ?? {}, { name: media.fileName, type: media.contentType, data });
		await birdRequest(context, { method: 'POST', url: slot.uploadUrl, body: form.body, headers: { 'content-type': form.contentType } }, { ...options, storage: true });
		return slot.mediaUrl;
	} finally {
		release();
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
