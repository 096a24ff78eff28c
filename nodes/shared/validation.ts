import type { IDataObject, IExecuteFunctions, INode, INodePropertyOptions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/** Where a value came from: the label a user sees and the parameter path a workflow stores. */
export interface FieldRef {
	label: string;
	path: string;
}

/**
 * A number a node or credential is set up with (an option, not an item's field), checked against
 * its range: refused with the setting's name and range, never clamped or rounded (n8n's number
 * fields clamp a typed 600 to their maximum without a word, so ours have no min/max). Empty means
 * the default.
 */
export function settingInRange(
	node: INode,
	raw: unknown,
	setting: { label: string; fallback: number; min: number; max?: number; integer?: boolean; why?: string },
): number {
	if (raw === undefined || raw === null || raw === '') return setting.fallback;
	const number = typeof raw === 'number' ? raw : Number(raw);
	const within =
		Number.isFinite(number) &&
		number >= setting.min &&
		(setting.max === undefined || number <= setting.max) &&
		(!setting.integer || Number.isInteger(number));
	if (within) return number;
	const allowed = `${setting.integer ? 'a whole number ' : ''}from ${setting.min}${setting.max === undefined ? ' up' : ` to ${setting.max}`}`;
	throw new NodeOperationError(node, `${setting.label}: ${String(raw)} is not allowed`, {
		description: `Use ${allowed}.${setting.why ? ` ${setting.why}` : ''}`,
	});
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

/**
 * An error description as n8n's error panel shows it: the panel renders descriptions as HTML, so
 * each line is escaped (an HTML example stays text) and lines are joined with line breaks.
 */
export function panelText(...lines: Array<string | undefined | false>): string {
	const escape = (line: string) => line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
	return lines
		.filter((line): line is string => typeof line === 'string' && line !== '')
		.flatMap((line) => line.split('\n'))
		.map(escape)
		.join('<br>');
}

/** A description written for n8n's panel, back as plain text (for an item's errorDetails). */
export function plainText(description: string): string {
	return description.replace(/<br\s*\/?>/g, '\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** A bad value of one field of one item. */
export class FieldError extends NodeOperationError {
	constructor(
		node: INode,
		readonly field: FieldRef,
		readonly problem: string,
		readonly example: string | undefined,
		itemIndex: number,
	) {
		super(node, `${field.label}: ${problem} (item ${itemIndex})`, {
			itemIndex,
			description: panelText(`Parameter "${field.path}" of input item ${itemIndex}: ${problem}.`, example === undefined ? undefined : `A valid value looks like: ${example}`),
		});
		// n8n tells errors apart by name; to n8n this is a NodeOperationError like any other.
		this.name = 'NodeOperationError';
	}
}

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
/** The values of an options field's options, for `ItemInput.choice`. */
export const valuesOf = (options: INodePropertyOptions[]): string[] => options.map((option) => String(option.value));

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
		throw new FieldError(this.node, field, problem, example, this.itemIndex);
	}

	private readonly collected: FieldError[] = [];

	/**
	 * Reads a field that must not hide the fields after it: a bad value is remembered and the
	 * read gives undefined, so that one run reports every bad field of an entry list (all the
	 * empty card titles, not the first of them). `settle` then throws them together.
	 */
	soft<T>(read: () => T): T | undefined {
		try {
			return read();
		} catch (error) {
			if (error instanceof FieldError) {
				this.collected.push(error);
				return undefined;
			}
			throw this.asNodeError(error);
		}
	}

	/** Any other failure, as n8n's error (an n8n error as it is). */
	private asNodeError(error: unknown): Error {
		if (error instanceof NodeApiError) return new NodeApiError(this.node, error as unknown as JsonObject);
		return new NodeOperationError(this.node, error as Error, { itemIndex: this.itemIndex });
	}

	/** `soft` for a read that waits (binary data's metadata). */
	async softAsync<T>(read: () => Promise<T>): Promise<T | undefined> {
		try {
			return await read();
		} catch (error) {
			if (error instanceof FieldError) {
				this.collected.push(error);
				return undefined;
			}
			throw this.asNodeError(error);
		}
	}

	/**
	 * The item's error, if any field failed: one failure as it is, several in one error that
	 * names them all. `failure` is an error thrown meanwhile (it joins the list if it is a field's).
	 */
	settle(failure?: unknown): unknown {
		const all = failure instanceof FieldError ? [...this.collected, failure] : this.collected;
		if (failure !== undefined && !(failure instanceof FieldError)) return failure;
		if (all.length <= 1) return all[0];
		const labels = all.map((error) => error.field.label);
		const shown = labels.length > 4 ? `${labels.slice(0, 4).join(', ')} and ${labels.length - 4} more` : labels.join(', ');
		return new NodeOperationError(this.node, `${all.length} fields need fixing: ${shown} (item ${this.itemIndex})`, {
			itemIndex: this.itemIndex,
			description: panelText(
				...all.map(
					(error) => `Parameter "${error.field.path}": ${error.problem}.${error.example === undefined ? '' : ` For example: ${error.example}`}`,
				),
			),
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

	/** The parameter at `path`, trimmed, when it is one of `allowed` (an options field, or an expression); undefined when empty. */
	choice(path: string, label: string, allowed: readonly string[], example = allowed[0]): string | undefined {
		const value = this.param(path, label)?.trim();
		if (value && !allowed.includes(value)) this.fail({ label, path }, `"${show(value)}" is not one of ${allowed.join(', ')}`, example);
		return value || undefined;
	}

	uuid(value: unknown, field: FieldRef, opts: { required?: boolean } = {}): string | undefined {
		const text = this.text(value, field, { ...opts, example: EXAMPLES.uuid });
		if (text === undefined) return undefined;
		if (!PATTERNS.uuid.test(text.trim())) {
			this.fail(field, `"${show(text)}" is not a UUID`, EXAMPLES.uuid);
		}
		return text.trim();
	}

	/**
	 * A true/false parameter: a boolean, or the text "true" or "false" an expression may give (n8n
	 * does not convert it); undefined when empty. Anything else is refused, never read as false.
	 */
	boolean(path: string, label: string, example = 'true'): boolean | undefined {
		const value = this.read(path);
		if (typeof value === 'boolean') return value;
		if (isBlank(value)) return undefined;
		const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
		if (text === 'true' || text === 'false') return text === 'true';
		return this.fail({ label, path }, `must be true or false, got ${typeof value === 'string' ? `"${show(value)}"` : show(value)}`, example);
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
