import { readChannelId } from '../shared/descriptions/channel';
import { readIdentifierList } from '../shared/descriptions/recipients';
import type { WindowQuery } from '../shared/serviceWindow/check';
import type { ItemInput } from '../shared/validation';

/** Reads and checks one item's parameters; sends nothing. */
export function readWindowQuery(input: ItemInput): WindowQuery {
	const channelId = readChannelId(input);
	const minutes = input.number(
		input.raw('options.minimumRemainingMinutes'),
		{ label: 'Options › Minimum Remaining Time (Minutes)', path: 'options.minimumRemainingMinutes' },
		{ min: 0, max: 24 * 60, example: '15' },
	);
	const query: WindowQuery = { channelId, minimumRemainingSeconds: (minutes ?? 0) * 60 };
	if ((input.param('contactBy', 'Find Contact By') ?? 'identifier') === 'id') {
		query.contactId = input.uuid(input.raw('contactId'), { label: 'Contact ID', path: 'contactId' }, { required: true });
		query.identifierValue = input.param('contactIdentifierValue', 'Contact Identifier Value')?.trim();
	} else {
		[query.identifier] = readIdentifierList(input, 'identifierValue', 'Contact', { required: true, max: 1 });
		query.identifierValue = query.identifier.identifierValue;
	}
	return query;
}
