/** The most events (start times in ms, ascending) within any 1000 ms, however the window is aligned. */
export function busiestSecond(times: number[]): number {
	let most = 0;
	for (let first = 0, index = 0; index < times.length; index++) {
		while (times[index] - times[first] >= 1000) first++;
		most = Math.max(most, index - first + 1);
	}
	return most;
}
