/**
 * Checks request bodies against the shapes in Bird's documentation, the way Bird answers
 * a bad one: a list of problems per field path, returned as a 422's `details`.
 */
type Json = Record<string, unknown>;
export type Problems = Record<string, string[]>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const E164 = /^\+[1-9]\d{6,14}$/;
const TAG = /^[a-zA-Z0-9_ -]{1,50}$/;

class Checker {
	readonly problems: Problems = {};

	add(path: string, problem: string) {
		(this.problems[path] ??= []).push(problem);
	}

	object(value: unknown, path: string): Json | undefined {
		if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json;
		this.add(path, 'is required and must be an object');
		return undefined;
	}

	array(value: unknown, path: string, min = 1): unknown[] {
		if (!Array.isArray(value)) {
			this.add(path, 'is required and must be an array');
			return [];
		}
		if (value.length < min) this.add(path, `must have at least ${min} entries`);
		return value;
	}

	text(value: unknown, path: string, opts: { required?: boolean; max?: number } = {}) {
		if (value === undefined || value === null) {
			if (opts.required) this.add(path, 'is required');
			return;
		}
		if (typeof value !== 'string' || (opts.required && !value.trim())) this.add(path, 'must be a non-empty string');
		else if (opts.max && value.length > opts.max) this.add(path, `must be at most ${opts.max} characters`);
	}

	url(value: unknown, path: string) {
		if (typeof value !== 'string' || !/^https?:\/\/\S+$/.test(value)) this.add(path, 'must be an http(s) URL');
	}
}

function actions(c: Checker, value: unknown, path: string) {
	if (value === undefined) return;
	c.array(value, path).forEach((raw, index) => {
		const at = `${path}[${index}]`;
		const action = c.object(raw, at);
		if (!action) return;
		const type = action.type;
		if (type === 'locationRequest') return;
		if (!['reply', 'postback', 'link'].includes(String(type))) {
			c.add(`${at}.type`, 'must be one of reply, postback, link, locationRequest');
			return;
		}
		const inner = c.object(action[String(type)], `${at}.${type}`);
		if (!inner) return;
		c.text(inner.text, `${at}.${type}.text`, { required: true });
		if (type === 'postback') c.text(inner.payload, `${at}.postback.payload`, { required: true });
		if (type === 'link') c.url(inner.url, `${at}.link.url`);
	});
}

const BODY_CHECKS: Record<string, (c: Checker, content: Json, path: string) => void> = {
	text(c, content, path) {
		c.text(content.text, `${path}.text`, { required: true, max: 4096 });
		actions(c, content.actions, `${path}.actions`);
	},
	html(c, content, path) {
		if (content.html === undefined && content.text === undefined) c.add(`${path}.html`, 'html or text is required');
	},
	image(c, content, path) {
		c.array(content.images, `${path}.images`).forEach((image, index) => c.url((image as Json)?.mediaUrl, `${path}.images[${index}].mediaUrl`));
		actions(c, content.actions, `${path}.actions`);
	},
	file(c, content, path) {
		c.array(content.files, `${path}.files`).forEach((file, index) => {
			c.url((file as Json)?.mediaUrl, `${path}.files[${index}].mediaUrl`);
			c.text((file as Json)?.contentType, `${path}.files[${index}].contentType`, { required: true });
		});
		actions(c, content.actions, `${path}.actions`);
	},
	location(c, content, path) {
		const coordinates = c.object(content.coordinates, `${path}.coordinates`);
		const lat = coordinates?.latitude;
		const lng = coordinates?.longitude;
		if (typeof lat !== 'number' || lat < -90 || lat > 90) c.add(`${path}.coordinates.latitude`, 'must be a number from -90 to 90');
		if (typeof lng !== 'number' || lng < -180 || lng > 180) c.add(`${path}.coordinates.longitude`, 'must be a number from -180 to 180');
	},
	list(c, content, path) {
		c.text(content.text, `${path}.text`, { required: true });
		c.array(content.items, `${path}.items`).forEach((item, index) => actions(c, (item as Json)?.actions ?? [], `${path}.items[${index}].actions`));
		const label = ((content.metadata as Json | undefined)?.button as Json | undefined)?.label;
		if (label !== undefined) c.text(label, `${path}.metadata.button.label`, { required: true, max: 20 });
	},
	carousel(c, content, path) {
		const items = c.array(content.items, `${path}.items`, 2);
		if (items.length > 10) c.add(`${path}.items`, 'must have at most 10 entries');
		items.forEach((item, index) => {
			c.text((item as Json)?.title, `${path}.items[${index}].title`, { required: true });
			c.url((item as Json)?.mediaUrl, `${path}.items[${index}].mediaUrl`);
		});
		c.text(content.text, `${path}.text`, { max: 1024 });
	},
};

/** Checks `body` or `template` (exactly one) at `path` ('' for the top of the request). */
function content(c: Checker, message: Json, path: string) {
	const prefix = path ? `${path}.` : '';
	const hasBody = message.body !== undefined;
	const hasTemplate = message.template !== undefined;
	if (hasBody === hasTemplate) {
		c.add(`${prefix}body`, 'exactly one of body or template is required');
		return;
	}
	if (hasTemplate) {
		const template = c.object(message.template, `${prefix}template`);
		if (!template) return;
		if (typeof template.projectId !== 'string' || !UUID.test(template.projectId)) c.add(`${prefix}template.projectId`, 'must be a UUID');
		if (template.version !== 'latest' && !(typeof template.version === 'string' && UUID.test(template.version))) {
			c.add(`${prefix}template.version`, 'must be "latest" or a UUID');
		}
		c.text(template.locale, `${prefix}template.locale`, { required: true });
		return;
	}
	const body = c.object(message.body, `${prefix}body`);
	if (!body) return;
	const type = String(body.type);
	const check = BODY_CHECKS[type];
	if (!check) {
		c.add(`${prefix}body.type`, `must be one of ${Object.keys(BODY_CHECKS).join(', ')}`);
		return;
	}
	const inner = c.object(body[type], `${prefix}body.${type}`);
	if (inner) check(c, inner, `${prefix}body.${type}`);
}

function identifier(c: Checker, contact: Json, path: string) {
	c.text(contact.identifierValue, `${path}.identifierValue`, { required: true });
	if (contact.identifierKey === 'phonenumber' && !E164.test(String(contact.identifierValue))) {
		c.add(`${path}.identifierValue`, 'is not a valid E.164 phone number');
	}
}

export function checkChannelMessage(request: Json, now = Date.now()): Problems {
	const c = new Checker();
	const receiver = c.object(request.receiver, 'receiver');
	c.array(receiver?.contacts, 'receiver.contacts').forEach((contact, index) => {
		const at = `receiver.contacts[${index}]`;
		const entry = c.object(contact, at);
		if (entry && entry.id === undefined) identifier(c, entry, at);
		if (entry?.type !== undefined && !['to', 'cc', 'bcc'].includes(String(entry.type))) c.add(`${at}.type`, 'must be to, cc or bcc');
	});
	content(c, request, '');
	if (request.tags !== undefined) {
		const tags = c.array(request.tags, 'tags', 0);
		if (tags.length > 10) c.add('tags', 'must have at most 10 entries');
		tags.forEach((tag, index) => {
			if (typeof tag !== 'string' || !TAG.test(tag)) c.add(`tags[${index}]`, 'must be 1-50 characters of letters, digits, spaces, - and _');
		});
	}
	if (request.scheduledFor !== undefined) {
		const when = Date.parse(String(request.scheduledFor));
		if (Number.isNaN(when)) c.add('scheduledFor', 'must be an RFC 3339 date-time');
		else if (when - now > 35 * 86_400_000) c.add('scheduledFor', 'must be at most 35 days ahead');
	}
	if (request.replyTo !== undefined) c.text((request.replyTo as Json)?.id, 'replyTo.id', { required: true });
	return c.problems;
}

export function checkConversation(request: Json): Problems {
	const c = new Checker();
	if (typeof request.channelId !== 'string' || !UUID.test(request.channelId)) c.add('channelId', 'must be a UUID');
	const participants = c.array(request.participants, 'participants');
	if (participants.length > 5) c.add('participants', 'must have at most 5 entries');
	participants.forEach((participant, index) => {
		const entry = c.object(participant, `participants[${index}]`);
		if (entry && entry.id === undefined) identifier(c, entry, `participants[${index}]`);
	});
	if (request.initialMessage !== undefined) {
		const message = c.object(request.initialMessage, 'initialMessage');
		if (message) {
			c.array(message.recipients, 'initialMessage.recipients').forEach((recipient, index) =>
				identifier(c, recipient as Json, `initialMessage.recipients[${index}]`),
			);
			content(c, message, 'initialMessage');
		}
	}
	if (request.visibility !== undefined && !['public', 'private'].includes(String(request.visibility))) c.add('visibility', 'must be public or private');
	if (request.accessibility !== undefined && !['open', 'invite-only', 'request-to-join'].includes(String(request.accessibility))) {
		c.add('accessibility', 'must be open, invite-only or request-to-join');
	}
	return c.problems;
}

export function checkConversationMessage(request: Json): Problems {
	const c = new Checker();
	if (!['accessKey', 'user', 'contact', 'flow'].includes(String(request.participantType))) {
		c.add('participantType', 'must be accessKey, user, contact or flow');
	}
	c.text(request.participantId, 'participantId', { required: true });
	if (request.recipients !== undefined) {
		c.array(request.recipients, 'recipients', 0).forEach((recipient, index) => identifier(c, recipient as Json, `recipients[${index}]`));
	}
	content(c, request, '');
	return c.problems;
}
