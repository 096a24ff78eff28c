import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** Where a value came from: the label a user sees and the parameter path a workflow stores. */
export interface FieldRef {
	label: string;
	path: string;
}

export const PATTERNS = {
	e164: /^\+[1-9]\d{6,14}$/,
	email: /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/,
	uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
	tag: /^[a-zA-Z0-9_ -]{1,50}$/,
} as const;

export const EXAMPLES = {
	e164: '+31612345678',
	email: 'jane@example.com',
	uuid: '4a6b4b9e-1c3f-4e0a-9d5e-2f8b7c6a1d20',
	url: 'https://example.com/picture.jpg',
} as const;

const isBlank = (value: unknown) =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

const show = (value: unknown) => {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/**
 * Reads and checks one input item's parameters before anything is sent. Every failure is a
 * NodeOperationError that names the field, the item index and what a valid value looks like.
 */
export class ItemInput {
	constructor(
		readonly node: INode,
		readonly itemIndex: number,
		private readonly read: (path: string) => unknown,
		/** The node's execution, for what an item holds beside its parameters (its binary data). */
		readonly context?: IExecuteFunctions,
	) {}

	raw(path: string): unknown {
		return this.read(path);
	}

	fail(field: FieldRef, problem: string, example?: string): never {
		const hint = example === undefined ? '' : ` A valid value looks like: ${example}`;
		throw new NodeOperationError(this.node, `${field.label}: ${problem} (item ${this.itemIndex})`, {
			itemIndex: this.itemIndex,
			description: `Parameter "${field.path}" of input item ${this.itemIndex}: ${problem}.${hint}`,
		});
	}

	text(
		value: unknown,
		field: FieldRef,
		opts: { required?: boolean; maxLength?: number; example?: string } = {},
	): string | undefined {
		if (isBlank(value)) {
			if (opts.required) this.fail(field, 'is required but empty', opts.example);
			return undefined;
		}
		if (typeof value === 'object') {
			this.fail(field, `must be text, got ${show(value)}`, opts.example);
		}
		const text = String(value);
		if (opts.maxLength !== undefined && text.length > opts.maxLength) {
			this.fail(
				field,
				`is ${text.length} characters long; at most ${opts.maxLength} are allowed`,
				opts.example,
			);
		}
		return text;
	}

	/** A string parameter of this item, by its path. */
	param(
		path: string,
		label: string,
		opts: { required?: boolean; maxLength?: number; example?: string } = {},
	): string | undefined {
		return this.text(this.read(path), { label, path }, opts);
	}

	number(
		value: unknown,
		field: FieldRef,
		opts: { required?: boolean; min?: number; max?: number; integer?: boolean; example: string },
	): number | undefined {
		if (isBlank(value)) {
			if (opts.required) this.fail(field, 'is required but empty', opts.example);
			return undefined;
		}
		const number = typeof value === 'number' ? value : Number(String(value).trim());
		if (!Number.isFinite(number)) this.fail(field, `${show(value)} is not a number`, opts.example);
		if (opts.integer && !Number.isInteger(number)) {
			this.fail(field, `${number} is not a whole number`, opts.example);
		}
		if (opts.min !== undefined && number < opts.min) {
			this.fail(field, `${number} is below the minimum of ${opts.min}`, opts.example);
		}
		if (opts.max !== undefined && number > opts.max) {
			this.fail(field, `${number} is above the maximum of ${opts.max}`, opts.example);
		}
		return number;
	}

	url(value: unknown, field: FieldRef, opts: { required?: boolean } = {}): string | undefined {
		const text = this.text(value, field, { ...opts, example: EXAMPLES.url });
		if (text === undefined) return undefined;
		let parsed: URL | undefined;
		try {
			parsed = new URL(text.trim());
		} catch {
			parsed = undefined;
		}
		if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
			this.fail(field, `"${show(text)}" is not an http(s) URL`, EXAMPLES.url);
		}
		return text.trim();
	}

	uuid(value: unknown, field: FieldRef, opts: { required?: boolean } = {}): string | undefined {
		const text = this.text(value, field, { ...opts, example: EXAMPLES.uuid });
		if (text === undefined) return undefined;
		if (!PATTERNS.uuid.test(text.trim())) {
			this.fail(field, `"${show(text)}" is not a UUID`, EXAMPLES.uuid);
		}
		return text.trim();
	}

	/** The entries of a fixedCollection parameter with multiple values, e.g. images.image[]. */
	entries(path: string): IDataObject[] {
		const value = this.read(path);
		if (Array.isArray(value)) return value as IDataObject[];
		return [];
	}
}

/** Drops keys whose value is undefined, so optional fields never reach Bird as empty strings. */
export function compact<T extends IDataObject>(object: T): T {
	for (const key of Object.keys(object)) {
		const value = object[key];
		if (value === undefined) delete object[key];
		else if (value && typeof value === 'object' && !Array.isArray(value)) {
			compact(value as IDataObject);
			if (Object.keys(value).length === 0) delete object[key];
		}
	}
	return object;
}
