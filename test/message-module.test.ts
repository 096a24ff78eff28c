import type { INodeProperties, INodeType } from 'n8n-workflow';

import { loadPackage } from './helpers/n8n';
import { MESSAGE_TYPES, messageContentProperties } from '../nodes/shared/message';

const SENDING_NODES = ['birdSendMessage', 'birdCreateConversation', 'birdReply'];

async function propertiesOf(name: string): Promise<INodeProperties[]> {
	const loader = await loadPackage();
	return (loader.nodeTypes[name].type as INodeType).description.properties;
}

/** A property without its routing (functions are per body root, not comparable). */
const shape = (property: INodeProperties) => JSON.parse(JSON.stringify(property, (key, value) => (key === 'routing' ? undefined : value)));

describe('the one message-content module', () => {
	test('every sending node offers the same message types, in the same order, as the module', async () => {
		const expected = MESSAGE_TYPES.map((type) => type.value);
		expect(expected).toEqual(['text', 'image', 'file', 'location', 'list', 'carousel', 'template', 'html']);
		for (const node of SENDING_NODES) {
			const messageType = (await propertiesOf(node)).find((property) => property.name === 'messageType');
			expect((messageType?.options ?? []).map((option) => (option as { value: string }).value)).toEqual(expected);
		}
	});

	test('every sending node has exactly the module’s message fields, unchanged (shown for its Send operation, where it has Send and Wait too)', async () => {
		const moduleFields = messageContentProperties().map(shape);
		const names = new Set(moduleFields.map((field) => field.name));
		/** A field without the node's `operation: ['send']` condition, which Send Message and Reply add; any other condition stays. */
		const withoutSendOperation = (field: INodeProperties) => {
			const show = { ...field.displayOptions?.show };
			if (JSON.stringify(show.operation) !== '["send"]') return field;
			delete show.operation;
			const rest = { ...field.displayOptions, show };
			return { ...field, displayOptions: Object.keys(show).length || Object.keys(rest).length > 1 ? rest : undefined };
		};
		for (const node of SENDING_NODES) {
			// Send and Wait's own `message` field is not the module's: the module's fields are the ones shown for Send.
			const fields = (await propertiesOf(node)).filter((property) => names.has(property.name) && !(property.displayOptions?.show?.operation as string[] | undefined)?.includes('sendAndWait'));
			expect(fields.map(withoutSendOperation).map(shape)).toEqual(moduleFields);
		}
	});

	test('each type shows only its own fields', () => {
		const fields = messageContentProperties().filter((field) => field.name !== 'messageType');
		// A field may have one definition per type (Text, with its own placeholder): the types of all of them.
		const shownFor = (name: string) => fields.filter((field) => field.name === name).flatMap((field) => field.displayOptions?.show?.messageType ?? []);
		expect(shownFor('latitude')).toEqual(['location']);
		expect(shownFor('carouselCards')).toEqual(['carousel']);
		expect(shownFor('text')).toEqual(['text', 'image', 'file', 'list', 'carousel', 'html']);
		expect(shownFor('actions')).toEqual(['text', 'image', 'file']);
		expect(fields.every((field) => (field.displayOptions?.show?.messageType ?? []).length > 0)).toBe(true);
		// Parameter names are a public API: no name is defined twice for one node version and one
		// message type. (A field that changed its type in 1.1 has a definition per version, and
		// Text one per type, each with the same name, type and default.)
		const inVersion = (version: number) =>
			fields.filter((field) => {
				const versions = field.displayOptions?.show?.['@version'] as Array<number | { _cnd: { gte: number } }> | undefined;
				return !versions || versions.some((entry) => (typeof entry === 'number' ? entry === version : version >= entry._cnd.gte));
			});
		for (const version of [1, 1.1]) {
			for (const type of MESSAGE_TYPES) {
				const names = inVersion(version)
					.filter((field) => (field.displayOptions?.show?.messageType as string[]).includes(type.value))
					.map((field) => field.name);
				expect(new Set(names).size).toBe(names.length);
			}
		}
		for (const name of new Set(fields.map((field) => field.name))) {
			const definitions = fields.filter((field) => field.name === name && !field.displayOptions?.show?.['@version']);
			expect(new Set(definitions.map((field) => JSON.stringify([field.type, field.default]))).size).toBeLessThanOrEqual(1);
		}
		expect(inVersion(1).map((field) => field.name)).toContain('templateParameters');
		expect(inVersion(1.1).map((field) => field.name)).toContain('templateVariables');
		expect(inVersion(1.1).map((field) => field.name)).not.toContain('templateParameters');
	});
});
