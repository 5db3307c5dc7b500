import type { ExceptionValue, Frame } from '../api/issues';
import { groupFrames } from './frames';

/**
 * An exception chain as people read it: the exception that was thrown first (SDKs send the chain
 * oldest cause first), and within each the most recent call first. In-app frames are open with
 * their source lines; runs of library and runtime frames fold into one line that opens on demand.
 */
export function ExceptionChain({ values }: { values: ExceptionValue[] }) {
  const newestFirst = [...values].reverse();
  return (
    <div className="exceptions">
      {newestFirst.map((value, index) => (
        <section key={index} className="exception" aria-label={`Exception ${value.type ?? ''}`.trim()}>
          {index > 0 && <p className="muted">caused by</p>}
          <h3>
            <span className="exception-type">{value.type ?? 'Error'}</span>
            {value.value && <span className="exception-value">: {value.value}</span>}
          </h3>
          {value.stacktrace && <Frames frames={value.stacktrace.frames} />}
        </section>
      ))}
    </div>
  );
}

function Frames({ frames }: { frames: Frame[] }) {
  // With no in-app frame at all, folding everything would hide the whole trace.
  const anyInApp = frames.some((frame) => frame.inApp);
  return (
    <ol className="frames">
      {groupFrames(frames).map((group, index) =>
        group.inApp || !anyInApp ? (
          (group.inApp ? [group.frame] : group.frames).map((frame, i) => (
            <FrameItem key={`${index}-${i}`} frame={frame} open />
          ))
        ) : (
          <li key={index} className="system-frames">
            <details>
              <summary>
                {group.frames.length} system frame{group.frames.length === 1 ? '' : 's'}
              </summary>
              <ol className="frames">
                {group.frames.map((frame, i) => (
                  <FrameItem key={i} frame={frame} open={false} />
                ))}
              </ol>
            </details>
          </li>
        ),
      )}
    </ol>
  );
}

function FrameItem({ frame, open }: { frame: Frame; open: boolean }) {
  const where = frame.filename ?? frame.absPath ?? frame.module ?? '?';
  return (
    <li className={frame.inApp ? 'frame in-app' : 'frame'}>
      <div className="frame-title">
        <code className="frame-function">{frame.function ?? '<anonymous>'}</code>
        <span className="muted">
          {' '}
          in {where}
          {frame.lineNo !== null && `:${frame.lineNo}`}
          {frame.colNo !== null && `:${frame.colNo}`}
        </span>
        {/* From a plugin's sourceLinks (e.g. the line on GitHub, through the project's code mappings). */}
        {frame.sourceLink && (
          <>
            {' '}
            <a className="frame-source" href={frame.sourceLink} target="_blank" rel="noopener noreferrer">
              source
            </a>
          </>
        )}
      </div>
      {open && frame.context.length > 0 && (
        <pre className="context">
          {frame.context.map(([line, source]) => (
            <div key={line} className={line === frame.lineNo ? 'context-line current' : 'context-line'}>
              <span className="line-no">{line}</span>
              {source}
            </div>
          ))}
        </pre>
      )}
      {open && frame.vars && Object.keys(frame.vars).length > 0 && (
        <dl className="vars">
          {Object.entries(frame.vars).map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
}
