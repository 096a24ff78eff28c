/**
 * The media of a message as n8n binary data: a customer's photo, voice note, video or PDF.
 * Bird's media host needs the access key, so the download goes through the transport with the
 * credential, and is read as it arrives into n8n's binary store (n8n's filesystem mode keeps it
 * out of memory), broken off past a size limit. Used by Bird Channels Trigger's Download Media
 * option and by Bird Channels' Message › Download Media operation.
 */
import type { IBinaryData, IDataObject, IExecuteFunctions, IN8nHttpFullResponse, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { BirdCredentials } from './transport/request';
import { baseUrlOf, birdCredentials, birdRequest, DEFAULT_DELIVERY } from './transport/request';

export type DownloadContext = IExecuteFunctions | IWebhookFunctions;

/** One media file of a message: where it is and what Bird says about it. */
export interface MediaRef {
	url: string;
	contentType?: string;
	fileName?: string;
	/** What it is in the message: `image`, `file`, `audio`, `video`… */
	kind: string;
}

/** The media files of a message body, in its order: images, files, and a gif or a location's none. */
export function mediaOf(body: IDataObject | undefined): MediaRef[] {
	if (!body) return [];
	const type = String(body.type ?? '');
	const content = (body[type] ?? {}) as IDataObject;
	const list = (value: unknown) => (Array.isArray(value) ? (value as IDataObject[]) : []);
	const refs: MediaRef[] = [];
	for (const image of list(content.images)) if (typeof image.mediaUrl === 'string') refs.push({ url: image.mediaUrl, kind: 'image', contentType: undefined, fileName: undefined });
	for (const file of list(content.files)) {
		if (typeof file.mediaUrl !== 'string') continue;
		const contentType = typeof file.contentType === 'string' ? file.contentType : undefined;
		refs.push({ url: file.mediaUrl, contentType, fileName: typeof file.filename === 'string' ? file.filename : undefined, kind: contentType?.split('/')[0] ?? 'file' });
	}
	for (const attachment of list(content.attachments)) {
		if (typeof attachment.mediaUrl === 'string') refs.push({ url: attachment.mediaUrl, kind: 'file', fileName: typeof attachment.filename === 'string' ? attachment.filename : undefined });
	}
	if (type === 'gif' && typeof content.mediaUrl === 'string') refs.push({ url: content.mediaUrl, kind: 'image' });
	return refs;
}

/**
 * Whether the access key may go to this URL: Bird's own hosts (`*.bird.com`, the media host
 * among them) and the credential's base URL (a proxy or the sandbox). Any other host gets the
 * request without it: a message never makes the node hand its key to a stranger.
 */
export function keyMayGoTo(url: string, credentials: BirdCredentials): boolean {
	try {
		const target = new URL(url);
		if (target.protocol === 'https:' && (target.hostname === 'bird.com' || target.hostname.endsWith('.bird.com'))) return true;
		return target.origin === new URL(baseUrlOf(credentials)).origin;
	} catch {
		return false;
	}
}

type Stream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;
type StreamFrom = { from(chunks: AsyncIterable<Buffer>, options: { objectMode: boolean }): Stream };

/** A file name for a download: Bird's, else the URL's last part, else the kind and an extension from the type. */
function nameFor(media: MediaRef, contentType: string, index: number): string {
	if (media.fileName) return media.fileName;
	const last = decodeURIComponent(new URL(media.url).pathname.split('/').pop() ?? '');
	if (/\.\w{2,5}$/.test(last)) return last;
	const extension = contentType.split('/')[1]?.split(/[;+]/)[0] ?? 'bin';
	return `${media.kind}-${index + 1}.${extension}`;
}

/**
 * Downloads one media file into n8n's binary store. Refused before reading when the answer says
 * it is larger than `maxBytes`, and broken off while reading when it turns out larger.
 */
export async function downloadMedia(context: DownloadContext, media: MediaRef, opts: { maxBytes: number; index: number; itemIndex?: number }): Promise<IBinaryData> {
	const credentials = await birdCredentials(context);
	const withKey = keyMayGoTo(media.url, credentials);
	const request = { method: 'GET' as const, url: media.url, encoding: 'stream' as const, json: false };
	const response: IN8nHttpFullResponse = withKey
		? await birdRequest(context, request, { itemIndex: opts.itemIndex, settings: { ...DEFAULT_DELIVERY, maxRetries: 2 }, binary: true })
		: await birdRequest(context, request, { itemIndex: opts.itemIndex, settings: { ...DEFAULT_DELIVERY, maxRetries: 2 }, binary: true, storage: true });
	const body = response.body as Stream;
	const headers = (response.headers ?? {}) as IDataObject;
	const declared = Number(headers['content-length']);
	const limit = `${(opts.maxBytes / 2 ** 20).toFixed(1)} MiB`;
	if (Number.isFinite(declared) && declared > opts.maxBytes) {
		body.destroy();
		throw new NodeApiError(context.getNode(), { message: 'too large' }, { message: `The media file has ${(declared / 2 ** 20).toFixed(1)} MiB, more than the ${limit} allowed`, itemIndex: opts.itemIndex });
	}
	async function* limited(): AsyncGenerator<Buffer> {
		let read = 0;
		for await (const chunk of body as AsyncIterable<Buffer>) {
			read += chunk.length;
			if (read > opts.maxBytes) throw new Error(`The media file is larger than the ${limit} allowed`);
			yield chunk;
		}
	}
	const contentType = (media.contentType || String(headers['content-type'] ?? '').split(';')[0] || 'application/octet-stream').trim();
	const stream = (body.constructor as unknown as StreamFrom).from(limited(), { objectMode: false });
	try {
		return await context.helpers.prepareBinaryData(stream, nameFor(media, contentType, opts.index), contentType);
	} catch (error) {
		body.destroy();
		throw new NodeApiError(context.getNode(), { message: (error as Error).message }, { message: (error as Error).message, itemIndex: opts.itemIndex });
	}
}
