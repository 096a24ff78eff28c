/**
 * Bird's pre-signed media upload, as the sandbox plays it. A POST to Bird (with the access key)
 * hands out `mediaUrl`, `uploadUrl`, `uploadMethod` and `uploadFormData`; the file then goes to
 * storage (S3 at Bird, the sandbox here) as multipart/form-data: every form field exactly as
 * handed out, in that order, the file last in the field `file`, and no Authorization header (S3
 * refuses a request that carries two kinds of authentication). Once stored, `mediaUrl` serves the
 * file, and a message may use it. Storage takes its own faults (`scope: 'storage'`).
 */
import { createHmac, randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

export interface Upload {
	id: string;
	contentType: string;
	formData: Record<string, string>;
	/** Where it was asked for: `channel-media` or a conversation ID. */
	scope: string;
	/** Set by a test: the slot's signed policy has expired, as S3's do after a while. */
	expired?: boolean;
	stored?: {
		data: Buffer;
		filename: string;
		contentType: string;
		/** The form's parts in the order they came, the file's as `file`. */
		parts: Array<{ name: string; value?: string; filename?: string }>;
		headers: Record<string, string | string[] | undefined>;
		at: string;
	};
}

export interface FormPart {
	name: string;
	filename?: string;
	contentType?: string;
	data: Buffer;
}

/** Splits a multipart/form-data body into its parts, in order. */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] | undefined {
	const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!boundary) return undefined;
	const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
	const parts: FormPart[] = [];
	let start = body.indexOf(delimiter);
	if (start < 0) return undefined;
	for (;;) {
		start += delimiter.length;
		if (body.subarray(start, start + 2).toString() === '--') return parts;
		start += 2; // CRLF
		const next = body.indexOf(delimiter, start);
		if (next < 0) return undefined;
		const part = body.subarray(start, next - 2); // CRLF before the delimiter
		const split = part.indexOf('\r\n\r\n');
		if (split < 0) return undefined;
		const headers = part.subarray(0, split).toString('utf8');
		const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
		const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
		if (name === undefined) return undefined;
		parts.push({
			name,
			filename: /\bfilename="([^"]*)"/.exec(disposition)?.[1],
			contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim(),
			data: part.subarray(split + 4),
		});
		start = next;
	}
}

export class MediaStore {
	readonly uploads = new Map<string, Upload>();

	constructor(private readonly baseUrl: () => string) {}

	/** Bird's answer to a pre-signed upload request. */
	presign(contentType: string, scope: string): Json {
		const id = randomUUID();
		const key = `uploads/${scope}/${id}`;
		const policy = Buffer.from(JSON.stringify({ expiration: '2099-01-01T00:00:00Z', conditions: [{ key }, { 'Content-Type': contentType }] })).toString('base64');
		const formData = {
			key,
			'Content-Type': contentType,
			'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
			'X-Amz-Credential': 'SANDBOX/20260101/eu-west-1/s3/aws4_request',
			'X-Amz-Date': '20260101T000000Z',
			Policy: policy,
			'X-Amz-Signature': createHmac('sha256', 'sandbox-storage').update(policy).digest('hex'),
		};
		this.uploads.set(id, { id, contentType, formData, scope });
		return { mediaUrl: `${this.baseUrl()}/_media/${id}`, uploadUrl: `${this.baseUrl()}/_storage/${id}`, uploadMethod: 'POST', uploadFormData: formData };
	}

	/** The storage's answer to an upload: [status, problem]. */
	receive(id: string, headers: Record<string, string | string[] | undefined>, body: Buffer): [number, string?] {
		const upload = this.uploads.get(id);
		if (!upload) return [404, 'NoSuchUpload: this upload URL was never handed out'];
		// Like S3, a slot may be used again (the same file, after a broken connection) until it expires.
		if (upload.expired) return [403, 'AccessDenied: Invalid according to Policy: Policy expired'];
		if (headers.authorization) return [400, 'InvalidArgument: only one auth mechanism allowed; the form is signed already, so no Authorization header'];
		// S3 takes no upload of unknown length (a chunked body).
		if (headers['content-length'] === undefined) return [411, 'MissingContentLength: You must provide the Content-Length HTTP header'];
		const parts = parseMultipart(body, String(headers['content-type'] ?? ''));
		if (!parts) return [400, 'MalformedPOSTRequest: the body is not multipart/form-data'];
		const fields = parts.filter((part) => part.filename === undefined);
		const file = parts[parts.length - 1];
		if (!file || file.name !== 'file' || file.filename === undefined) return [400, 'InvalidArgument: the file must be the last field, named "file"'];
		const expected = Object.entries(upload.formData);
		const sent = fields.map((part) => [part.name, part.data.toString('utf8')]);
		if (JSON.stringify(sent) !== JSON.stringify(expected)) {
			return [403, `AccessDenied: the form fields must be exactly those handed out, in their order (got ${sent.map(([name]) => name).join(', ')})`];
		}
		if (!file.data.length) return [400, 'EntityTooSmall: the file is empty'];
		upload.stored = {
			data: file.data,
			filename: file.filename,
			contentType: file.contentType ?? '',
			parts: parts.map((part) => (part.filename === undefined ? { name: part.name, value: part.data.toString('utf8') } : { name: part.name, filename: part.filename })),
			headers: { ...headers },
			at: new Date().toISOString(),
		};
		return [204];
	}

	/** The upload a sandbox media URL points at, if it is one. */
	byUrl(url: unknown): Upload | undefined | null {
		const prefix = `${this.baseUrl()}/_media/`;
		if (typeof url !== 'string' || !url.startsWith(prefix)) return null;
		return this.uploads.get(url.slice(prefix.length));
	}

	/** Media URLs of the sandbox in a message that were handed out but never uploaded: problems by path. */
	problems(value: unknown, path: string): Record<string, string[]> {
		const found: Record<string, string[]> = {};
		const visit = (node: unknown, at: string) => {
			if (Array.isArray(node)) node.forEach((entry, index) => visit(entry, `${at}[${index}]`));
			else if (node && typeof node === 'object') {
				for (const [key, child] of Object.entries(node as Json)) {
					const where = at ? `${at}.${key}` : key;
					if (key === 'mediaUrl') {
						const upload = this.byUrl(child);
						if (upload === undefined) found[where] = ['is not a media URL this workspace handed out'];
						else if (upload && !upload.stored) found[where] = ['was handed out, but no file was uploaded to it'];
					} else visit(child, where);
				}
			}
		};
		visit(value, path);
		return found;
	}
}
