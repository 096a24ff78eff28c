/**
 * Phone numbers as people write them, to the E.164 form Bird takes (`+31612345678`), or a
 * refusal that shows the corrected number. No phone library (the package has no runtime
 * dependencies): the rules below cover how numbers are written, not every country's plan.
 *
 * - Unicode is folded first (NFKC): full-width digits and plus signs become ASCII.
 * - Spaces of every kind (non-breaking too), dots, dashes, slashes, brackets and invisible
 *   direction marks are dropped; a `tel:` prefix too.
 * - `00` before the country code means `+`.
 * - `(0)` after the country code is the trunk prefix that is dialled only at home
 *   (`+31 (0)6 1234 5678`): it is dropped, except for countries whose numbers keep that 0
 *   internationally (Italy's `+39 06…`).
 * - A bare trunk `0` right after a country code that never keeps it (`+31 06…`, `+44 07…`,
 *   `+49 01…`) is refused with the number without it as the example: sending it would reach
 *   a wrong or no number.
 */

/**
 * Country codes whose national trunk prefix is 0 and whose numbers never start with 0 after
 * the country code. A 0 there is always the trunk prefix written by mistake.
 */
const DROPS_TRUNK_ZERO = new Set([
	'7', '20', '27', '31', '32', '33', '36', '40', '41', '43', '44', '46', '49', '51', '54', '55', '58', '60', '61', '62',
	'63', '64', '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98', '212', '213', '234', '254', '255',
	'256', '263', '353', '358', '359', '380', '381', '385', '386', '387', '389', '880', '886', '962', '963', '964', '966',
	'971', '972', '977',
]);

/** Country codes whose numbers keep a leading 0 after the country code: Italy, San Marino, the Vatican, Côte d'Ivoire, Congo. */
const KEEPS_ZERO = new Set(['39', '378', '379', '225', '242']);

/** The ITU country codes of one and two digits; every other code has three. */
const SHORT_CODES = new Set([
	'1', '7', '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51', '52',
	'53', '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93',
	'94', '95', '98',
]);

export type PhoneResult = { phone: string } | { problem: string; example?: string };

/** The country code a `+…` number starts with, when it is one of the tables' (ITU codes are prefix-free). */
function countryCode(digits: string, table: Set<string>): string | undefined {
	return [1, 2, 3].map((length) => digits.slice(0, length)).find((code) => table.has(code));
}

/** Reads a phone number as people write it; E.164 or why not. */
export function normalizePhone(value: string): PhoneResult {
	let text = value
		.normalize('NFKC')
		// Invisible marks that phones and spreadsheets paste along (direction marks, zero-width spaces, BOM).
		.replace(/[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, '')
		.trim()
		.replace(/^tel:/i, '');
	// Dashes of every width and the minus sign, as separators.
	text = text.replace(/[\u2010-\u2015\u2212]/g, '-');
	text = text.replace(/^\(\s*\+/, '+').replace(/^00/, '+');
	const plus = text.startsWith('+');
	const trunkInBrackets = /^\+\s*\d{1,3}[\s.-]*\(\s*0\s*\)/.exec(text);
	if (trunkInBrackets) {
		const code = trunkInBrackets[0].replace(/\D/g, '').slice(0, -1);
		// `(0)` is dropped unless this country keeps the 0 internationally.
		const digitsAfter = text.slice(trunkInBrackets[0].length);
		text = KEEPS_ZERO.has(code) ? `+${code}0${digitsAfter}` : `+${code}${digitsAfter}`;
	}
	const compact = text.replace(/[\s().\-/]/g, '');
	if (!/^\+?\d+$/.test(compact)) return { problem: 'is not a phone number in E.164 format (+, country code, number): it has characters other than digits, spaces, dots, dashes and brackets' };
	if (!plus) {
		return { problem: 'is not a phone number in E.164 format (+, country code, number): it has no country code. Start it with + (or 00) and the country code' };
	}
	const digits = compact.slice(1);
	const code = countryCode(digits, DROPS_TRUNK_ZERO);
	if (code && digits[code.length] === '0') {
		const corrected = `+${code}${digits.slice(code.length).replace(/^0+/, '')}`;
		return { problem: `keeps the trunk 0 after the country code +${code}, which is dialled only inside the country: the number is ${corrected}`, example: corrected };
	}
	// E.164: at most 15 digits. The shortest national numbers have 4 digits after a three-digit country code (Saint Helena, Niue) and 6 after a shorter one.
	const codeLength = [1, 2].find((length) => SHORT_CODES.has(digits.slice(0, length))) ?? 3;
	const national = digits.length - codeLength;
	if (!/^[1-9]/.test(digits) || digits.length > 15 || national < (codeLength === 3 ? 4 : 6)) {
		return { problem: 'is not a phone number in E.164 format (+, country code, number)' };
	}
	return { phone: `+${digits}` };
}
