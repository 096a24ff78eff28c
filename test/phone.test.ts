/**
 * Phone numbers as people write them: each way of writing maps to exactly what is sent, or to a
 * refusal whose example is the corrected number. Then one end-to-end check that Send Message
 * sends the normalized number and refuses a trunk 0 before any request.
 */
import { normalizePhone } from '../nodes/shared/phone';
import { runNode } from './helpers/n8n';
import { sandboxCredentials, useSandbox } from './helpers/sandbox';
import { SANDBOX } from '../scripts/sandbox/server';

const NBSP = '\u00a0';
const NARROW_NBSP = '\u202f';

/** What people type → what goes to Bird. */
const SENT: Array<[string, string, string]> = [
	['E.164 as it is', '+31612345678', '+31612345678'],
	['spaces', '+31 6 1234 5678', '+31612345678'],
	['leading and trailing spaces', '  +31612345678  ', '+31612345678'],
	['a tab and a newline', '\t+31612345678\n', '+31612345678'],
	['dots', '+31.6.12.34.56.78', '+31612345678'],
	['dashes', '+31-6-1234-5678', '+31612345678'],
	['en dashes and minus signs', '+31–6–1234−5678', '+31612345678'],
	['slashes', '+49 151/2345 6789', '+4915123456789'],
	['brackets round the area code (US)', '+1 (415) 555-2671', '+14155552671'],
	['brackets round the country code', '(+31) 6 1234 5678', '+31612345678'],
	['00 for +', '0031 6 1234 5678', '+31612345678'],
	['00 and no spaces', '0031612345678', '+31612345678'],
	['(0) after the country code, Dutch', '+31 (0)6 1234 5678', '+31612345678'],
	['(0) without spaces', '+31(0)612345678', '+31612345678'],
	['(0) with 00', '0031 (0)6 1234 5678', '+31612345678'],
	['(0) British', '+44 (0)7700 900123', '+447700900123'],
	['(0) German landline', '+49 (0)30 1234567', '+49301234567'],
	['(0) with a space inside', '+44 ( 0 ) 20 7946 0958', '+442079460958'],
	['Italy keeps its 0', '+39 06 1234 5678', '+390612345678'],
	["Italy's (0) is part of the number", '+39 (0)6 1234 5678', '+390612345678'],
	['non-breaking spaces', `+31${NBSP}6${NBSP}1234${NBSP}5678`, '+31612345678'],
	['narrow non-breaking spaces', `+33${NARROW_NBSP}6${NARROW_NBSP}12${NARROW_NBSP}34${NARROW_NBSP}56${NARROW_NBSP}78`, '+33612345678'],
	['full-width digits and plus', '＋３１６１２３４５６７８', '+31612345678'],
	['full-width spaces', '+31\u30006\u30001234\u30005678', '+31612345678'],
	['a direction mark pasted from a phone', '\u200e+31 6 1234 5678\u200e', '+31612345678'],
	['a zero-width space', '+316\u200b12345678', '+31612345678'],
	['tel: link', 'tel:+31612345678', '+31612345678'],
	['Saint Helena, a short number', '+290 1234', '+2901234'],
	['the longest E.164', '+123456789012345', '+123456789012345'],
];

/** What people type → refused, with the example the error shows. */
const REFUSED: Array<[string, string, RegExp, string | undefined]> = [
	['a Dutch trunk 0 after the country code', '+31 06 1234 5678', /keeps the trunk 0 after the country code \+31.*the number is \+31612345678/, '+31612345678'],
	['a British trunk 0', '+44 07700 900123', /trunk 0 .* \+44/, '+447700900123'],
	['a German trunk 0', '+49 0151 23456789', /trunk 0 .* \+49/, '+4915123456789'],
	['a trunk 0 after 00', '0031 06 12345678', /trunk 0/, '+31612345678'],
	['a national number', '06 12345678', /has no country code/, undefined],
	['a national number with brackets', '(06) 12345678', /has no country code/, undefined],
	['letters', '+31 6 CALL NOW', /characters other than digits/, undefined],
	['an extension', '+31612345678 ext. 12', /characters other than digits/, undefined],
	['too short for a two-digit country code', '0031 6 1234', /is not a phone number in E\.164 format/, undefined],
	['too long', '+31 6 1234 5678 9012 34', /is not a phone number in E\.164 format/, undefined],
	['country code 0', '+0612345678', /is not a phone number in E\.164 format/, undefined],
	['only a plus', '+', /is not a phone number in E\.164 format/, undefined],
	['empty', '', /no country code|is not a phone number/, undefined],
];

describe('phone numbers as people write them', () => {
	test.each(SENT)('%s: %j is sent as %s', (_, written, sent) => {
		expect(normalizePhone(written)).toEqual({ phone: sent });
	});
	test.each(REFUSED)('%s: %j is refused', (_, written, problem, example) => {
		const read = normalizePhone(written);
		expect('problem' in read && read.problem).toMatch(problem);
		expect('problem' in read ? read.example : 'sent').toBe(example);
	});
});

describe('in a node', () => {
	const sandbox = useSandbox();
	const send = (phone: string) =>
		runNode({
			type: 'birdSendMessage',
			parameters: { channelId: { __rl: true, mode: 'id', value: SANDBOX.channels.sms }, identifierValue: phone, messageType: 'text', text: 'Hi' },
			credentials: sandboxCredentials(sandbox),
		});

	test('"+31 (0)6 1234 5678" reaches Bird as +31612345678', async () => {
		const result = await send('+31 (0)6 1234 5678');
		expect(result.error).toBeUndefined();
		expect(sandbox.messages.map((message) => (message.receiver as { contacts: Array<{ identifierValue: string }> }).contacts[0].identifierValue)).toEqual(['+31612345678']);
	});

	test('"+31 06 1234 5678" is refused before any request, with the corrected number as the example', async () => {
		const result = await send('+31 06 1234 5678');
		expect(sandbox.log.filter((entry) => entry.method === 'POST')).toEqual([]);
		expect(result.error?.message).toMatch(/^Recipient: "\+31 06 1234 5678" keeps the trunk 0 after the country code \+31/);
		expect(result.error?.description).toContain('A valid value looks like: +31612345678');
	});
});
