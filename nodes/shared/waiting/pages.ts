/**
 * The pages a contact sees after opening a send-and-wait link: a confirmation (a link preview or
 * a mail scanner that opens the link must not answer for them), the Free Text form, and "Got it".
 * Styled like n8n's own form pages. When the answer was already given or the wait is over, n8n
 * itself answers the link with its "No action required" page.
 */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(title: string, inner: string): string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>
body{margin:0;background:#fbfcfe;font-family:'Open Sans',system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#555;display:flex;justify-content:center;padding:64px 16px}
.card{background:#fff;border:1px solid #dbdfe7;border-radius:8px;box-shadow:0 4px 16px rgba(99,77,255,.06);padding:24px;max-width:448px;width:100%;box-sizing:border-box}
h1{font-size:20px;font-weight:600;color:#525356;margin:0 0 8px}p{font-size:14px;line-height:1.6;white-space:pre-line;margin:0 0 16px}
textarea{width:100%;box-sizing:border-box;min-height:120px;border:1px solid #dbdfe7;border-radius:6px;padding:10px;font:inherit;font-size:14px}
button{margin-top:16px;width:100%;background:#ff6d5a;color:#fff;border:0;border-radius:6px;padding:12px;font-size:14px;font-weight:600;cursor:pointer}
button:hover{background:#e0614f}.note{font-size:12px;color:#888;margin-top:16px}
</style></head><body><div class="card">${inner}</div></body></html>`;
}

/** Approval by link: the choice, and a button that records it. */
export function confirmPage(message: string, label: string): string {
	return page(
		label,
		`<h1>Your answer: ${escapeHtml(label)}</h1><p>${escapeHtml(message)}</p><form method="post"><input type="hidden" name="confirmed" value="1"><button type="submit">Send “${escapeHtml(label)}”</button></form><p class="note">Nothing is sent until you press the button.</p>`,
	);
}

/** Free Text by link: the question and a box for the answer. */
export function formPage(title: string, message: string, buttonLabel: string): string {
	return page(
		title || 'Your answer',
		`${title ? `<h1>${escapeHtml(title)}</h1>` : ''}<p>${escapeHtml(message)}</p><form method="post"><textarea name="response" required autofocus></textarea><button type="submit">${escapeHtml(buttonLabel)}</button></form>`,
	);
}

/** After the answer was recorded. */
export function recordedPage(): string {
	return page('Got it, thanks', '<h1>Got it, thanks</h1><p>Your answer was recorded. This page can be closed now.</p>');
}
