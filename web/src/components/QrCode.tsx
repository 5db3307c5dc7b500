import { create } from 'qrcode';

/**
 * A QR code as inline SVG drawn from the library's module matrix: no canvas and no data: URL, so it
 * renders the same in the HTML-only component tests and under the page's Content-Security-Policy.
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  // One 1×1 square per dark module; a 4-module quiet zone around, as scanners expect.
  let path = '';
  for (let row = 0; row < size; row++)
    for (let col = 0; col < size; col++) if (modules.get(row, col)) path += `M${col + 4} ${row + 4}h1v1h-1z`;
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${size + 8} ${size + 8}`}
      width={(size + 8) * 5}
      height={(size + 8) * 5}
      shapeRendering="crispEdges"
    >
      <rect width={size + 8} height={size + 8} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
