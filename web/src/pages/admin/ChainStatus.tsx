import { adminApi } from '../../admin-api.ts';
import { ErrorMessage, Loading } from '../../components/Status.tsx';
import { formatDateTime } from '../../format.ts';
import { useLoad } from '../../hooks.ts';

const REASON: Record<string, string> = { hash_mismatch: 'its content does not match its hash', prev_hash_mismatch: 'it does not follow the event before it', sequence_gap: 'events are missing before it' };

/** GET /api/v1/audit/verify: is the hash chain intact, or where does it break? */
export function ChainStatus() {
  const report = useLoad(adminApi.verifyAudit, 'verify');
  const r = report.data;
  return (
    <section className="card" aria-labelledby="chain-heading">
      <h2 id="chain-heading">Chain verification</h2>
      <ErrorMessage message={report.error} onRetry={() => void report.reload()} />
      {r === undefined && report.error === null && <Loading what="the verification" />}
      {r !== undefined && (
        <div role="status">
          {r.ok
            ? <p><span className="badge active">Chain intact</span> All {r.events} events verified on {formatDateTime(r.verifiedAt)}.</p>
            : <p className="error-text"><span className="badge broken">Chain broken</span> At event #{r.firstBreak?.seq}: {REASON[r.firstBreak?.reason ?? ''] ?? r.firstBreak?.reason}. {r.events} events before it verified.</p>}
          {r.lastHash !== null && <p className="muted">Last event #{r.lastSeq}, hash <code>{r.lastHash.slice(0, 16)}…</code></p>}
        </div>
      )}
      <button type="button" className="secondary" disabled={report.loading} onClick={() => void report.reload()}>{report.loading ? 'Verifying…' : 'Verify again'}</button>
    </section>
  );
}
