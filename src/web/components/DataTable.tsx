// A DSFR table in the current markup (wrapper, container, content), full width; the first
// column's cells are row headers so that a screen reader names each row. Below the DSFR `md`
// breakpoint each line becomes a card: every cell on its own line, named by its column, so that
// status and actions stay in sight on a phone without scrolling sideways.
import type { ReactNode } from 'react';
import './data-table.css';

export interface Column {
  label: string;
  /** Not printed (buttons, actions). */
  noPrint?: boolean;
}

export function DataTable({
  caption,
  captionHidden = false,
  headers,
  rows,
  className,
}: {
  caption: string;
  captionHidden?: boolean;
  headers: (string | Column)[];
  rows: { key: string; cells: ReactNode[]; className?: string }[];
  className?: string;
}) {
  const columns = headers.map((h) => (typeof h === 'string' ? { label: h } : h));
  const printClass = (i: number) => (columns[i]?.noPrint ? 'no-print' : undefined);
  return (
    <div
      className={`fr-table fr-table--multiline data-table${captionHidden ? ' fr-table--no-caption' : ''} ${className ?? ''}`}
    >
      <div className="fr-table__wrapper">
        <div className="fr-table__container">
          <div className="fr-table__content">
            <table>
              <caption>{caption}</caption>
              <thead>
                <tr>
                  {columns.map((c, i) => (
                    <th key={c.label} scope="col" className={printClass(i)}>
                      {c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key} className={row.className}>
                    {row.cells.map((cell, i) =>
                      i === 0 ? (
                        // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed
                        <th key={i} scope="row" className={printClass(i)}>
                          {cell}
                        </th>
                      ) : (
                        // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed
                        <td key={i} data-label={columns[i]?.label} className={printClass(i)}>
                          {cell}
                        </td>
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </div>
  );
}
