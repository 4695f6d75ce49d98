// Reads the figures out of wrk's text report (run with --latency).

const UNIT_US = { us: 1, ms: 1000, s: 1e6, m: 60e6 };

function durationUs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`not a wrk duration: ${text}`);
  return Number(m[1]) * UNIT_US[m[2]];
}

/** Returns { requests, seconds, rps, p50, p99 (µs), errors, non2xx }. */
export function parseWrkOutput(text) {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(text);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!total || !rps) throw new Error(`wrk printed no summary:\n${text}`);
  const pct = (p) => {
    const m = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(text);
    return m ? durationUs(m[1]) : NaN;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    seconds: durationUs(`${total[2]}${total[3]}`) / 1e6,
    rps: Number(rps[1]),
    p50: pct(50),
    p99: pct(99),
    errors: socket ? socket.slice(1).reduce((s, x) => s + Number(x), 0) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
  };
}

/** A wrk script that stops its thread after the count given as its argument (run wrk with -t1). */
export const WRK_STOP_SCRIPT = `local left = 0
function init(args) left = tonumber(args[1]) or 0 end
function response()
  left = left - 1
  if left <= 0 then wrk.thread:stop() end
end
`;
