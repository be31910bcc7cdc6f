/**
 * Lab 03 — the grader's image set and the thumbnail inspector (not a learner
 * file). The images are made with sharp at grade time, so the repository
 * carries no binary fixtures and every property the grader checks is known
 * exactly:
 *  - every picture is split in two colours along its *stored* width (red on
 *    the left, blue on the right), so a thumbnail shows whether it is upright:
 *    a plain image keeps red left, and the EXIF-rotated one (orientation 6 =
 *    "turn 90° clockwise to display") must show red on TOP;
 *  - the PNG is transparent around an opaque blue square, with the hidden
 *    pixels black — a JPEG thumbnail that forgets to flatten shows black
 *    corners instead of white ones;
 *  - the 6000×4000 JPEG is the "camera original" that must still fit the
 *    function's memory and time-out.
 * inspectThumbnail() decodes a thumbnail and returns what is wrong with it.
 */
import sharp, { type Metadata, type OutputInfo } from "sharp";

export interface TestImage {
  /** The S3 key as uploaded (not encoded). */
  key: string;
  /** What this image tests, for messages. */
  why: string;
  format: "jpeg" | "png";
  /** Stored pixel size. */
  width: number;
  height: number;
  /** EXIF orientation tag (6 = rotate 90° clockwise to display). */
  orientation?: number;
  alpha?: boolean;
  /** A group the grader checks together. */
  group: "shapes" | "keys";
}

/** Plain shapes first (one check), awkward keys second (another). */
export const IMAGE_SET: TestImage[] = [
  { key: "uploads/landscape.jpg", why: "landscape JPEG", format: "jpeg", width: 800, height: 600, group: "shapes" },
  { key: "uploads/portrait.jpeg", why: "portrait JPEG (.jpeg)", format: "jpeg", width: 600, height: 900, group: "shapes" },
  { key: "uploads/transparent.png", why: "PNG with transparency", format: "png", width: 400, height: 300, alpha: true, group: "shapes" },
  { key: "uploads/rotated.jpg", why: "JPEG with EXIF orientation 6", format: "jpeg", width: 300, height: 200, orientation: 6, group: "shapes" },
  { key: "uploads/large.jpg", why: "6000×4000 JPEG", format: "jpeg", width: 6000, height: 4000, group: "shapes" },
  { key: "uploads/holiday photos/beach day.jpg", why: "key with spaces", format: "jpeg", width: 640, height: 480, group: "keys" },
  { key: "uploads/a+b=c.png", why: 'key with "+" and "="', format: "png", width: 300, height: 300, group: "keys" },
  { key: "uploads/café/日本 ñ.jpeg", why: "key with unicode", format: "jpeg", width: 500, height: 250, group: "keys" },
  { key: "uploads/2024/06/nested/deep/1+1+1  two  spaces 100%.jpg", why: 'nested folders, several "+", two spaces in a row and "%"', format: "jpeg", width: 450, height: 800, group: "keys" },
];

/** Uploads the trigger must ignore: wrong suffix, wrong prefix, a format the pipeline does not take. */
export const NEGATIVE_UPLOADS: Array<{ key: string; why: string }> = [
  { key: "uploads/notes.txt", why: "not an image suffix" },
  { key: "other/photo.jpg", why: "outside uploads/" },
  { key: "uploads/photo.gif", why: ".gif is not in the filters" },
];

/** The size the picture is displayed at (orientations 5–8 swap width and height). */
export function displayedSize(img: Pick<TestImage, "width" | "height" | "orientation">): { width: number; height: number } {
  return img.orientation && img.orientation >= 5 ? { width: img.height, height: img.width } : { width: img.width, height: img.height };
}

/** The thumbnail key the pipeline agrees on: thumbnails/<path under uploads/ without extension>.jpg */
export function expectedThumbnailKey(key: string): string {
  return `thumbnails/${key.slice("uploads/".length).replace(/\.(jpe?g|png)$/i, "")}.jpg`;
}

const RED = { r: 220, g: 30, b: 30 };
const BLUE = { r: 30, g: 30, b: 220 };

/** Make one test image's bytes. */
export async function makeImage(img: TestImage): Promise<Buffer> {
  if (img.alpha) {
    // Transparent (hidden colour black) with an opaque blue square in the middle half.
    const square = await sharp({ create: { width: Math.round(img.width / 2), height: Math.round(img.height / 2), channels: 4, background: { ...BLUE, alpha: 1 } } }).png().toBuffer();
    return sharp({ create: { width: img.width, height: img.height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: square, left: Math.round(img.width / 4), top: Math.round(img.height / 4) }])
      .png()
      .toBuffer();
  }
  const half = Math.floor(img.width / 2);
  const right = await sharp({ create: { width: img.width - half, height: img.height, channels: 3, background: BLUE } }).png().toBuffer();
  let pipeline = sharp({ create: { width: img.width, height: img.height, channels: 3, background: RED } }).composite([{ input: right, left: half, top: 0 }]);
  if (img.format === "png") return sharp(await pipeline.png().toBuffer()).removeAlpha().png().toBuffer();
  // Composite output must be materialised before EXIF can be attached to the final JPEG.
  const flat = await pipeline.jpeg({ quality: 90 }).toBuffer();
  pipeline = sharp(flat);
  if (img.orientation) return pipeline.withMetadata({ orientation: img.orientation }).jpeg({ quality: 90 }).toBuffer();
  return pipeline.jpeg({ quality: 90 }).toBuffer();
}

/** Bytes for every image of the set, made in parallel. */
export async function makeImageSet(images: TestImage[] = IMAGE_SET): Promise<Map<string, Buffer>> {
  const made = await Promise.all(images.map(async (img) => [img.key, await makeImage(img)] as const));
  return new Map(made);
}

/** Bytes that are not an image at all (deterministic "random" bytes). */
export function corruptBytes(length = 2048): Buffer {
  const out = Buffer.alloc(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  out[0] = 0x00; // never an accidental JPEG/PNG signature
  return out;
}

type Rgb = { r: number; g: number; b: number };
const near = (p: Rgb, q: Rgb, tolerance = 70) => Math.abs(p.r - q.r) + Math.abs(p.g - q.g) + Math.abs(p.b - q.b) <= tolerance * 1.5;
const WHITE = { r: 255, g: 255, b: 255 };
const BLACK = { r: 0, g: 0, b: 0 };
const colourName = (p: Rgb) => (near(p, RED) ? "red" : near(p, BLUE) ? "blue" : near(p, WHITE) ? "white" : near(p, BLACK) ? "black" : `rgb(${p.r},${p.g},${p.b})`);

/** What is wrong with a thumbnail of `img` (empty: nothing). */
export async function inspectThumbnail(img: TestImage, bytes: Uint8Array, contentType?: string): Promise<string[]> {
  const problems: string[] = [];
  const buf = Buffer.from(bytes);
  if (buf.length < 3 || buf[0] !== 0xff || buf[1] !== 0xd8 || buf[2] !== 0xff) {
    return [`is not a JPEG (starts with ${buf.subarray(0, 4).toString("hex") || "nothing"}; a JPEG starts with ffd8ff) — encode with .jpeg()`];
  }
  let meta: Metadata;
  let raw: { data: Buffer; info: OutputInfo };
  try {
    meta = await sharp(buf).metadata();
    raw = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    return [`is not a valid JPEG: ${(err as Error).message}`];
  }
  if (contentType !== undefined && contentType !== "image/jpeg") problems.push(`has ContentType ${JSON.stringify(contentType)}, expected "image/jpeg" (browsers use it to show the file)`);
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  const shown = displayedSize(img);
  if (w > 200 || h > 200) problems.push(`is ${w}×${h}: larger than 200×200`);
  else if (Math.max(w, h) < 199) problems.push(`is ${w}×${h}: the longer side should be 200 (the original is ${shown.width}×${shown.height})`);
  const want = shown.width / shown.height;
  const got = w / Math.max(1, h);
  const stored = img.width / img.height;
  if (img.orientation && img.orientation >= 5 && Math.abs(got - stored) / stored <= 0.01) problems.push(`is ${w}×${h}, lying on its side: the original carries EXIF orientation ${img.orientation} and shows as ${shown.width}×${shown.height} — call sharp's .rotate() (no angle) before resizing`);
  else if (Math.abs(got - want) / want > 0.01) problems.push(`is ${w}×${h} (aspect ${got.toFixed(3)}), the original shows as ${shown.width}×${shown.height} (aspect ${want.toFixed(3)}): keep the aspect ratio (fit "inside")`);
  if (meta.orientation !== undefined && meta.orientation !== 1) problems.push(`still carries EXIF orientation ${meta.orientation}: rotate the pixels (sharp's .rotate()) so every viewer shows it upright`);
  if (problems.length) return problems;

  const pixel = (x: number, y: number): Rgb => {
    const i = (Math.min(h - 1, Math.max(0, Math.round(y))) * w + Math.min(w - 1, Math.max(0, Math.round(x)))) * raw.info.channels;
    return { r: raw.data[i]!, g: raw.data[i + 1]!, b: raw.data[i + 2]! };
  };
  if (img.alpha) {
    const corner = pixel(2, 2);
    const centre = pixel(w / 2, h / 2);
    if (!near(corner, WHITE, 40)) problems.push(`has a ${colourName(corner)} corner where the PNG is transparent: flatten onto white (.flatten({ background: "#ffffff" })) before JPEG`);
    if (!near(centre, BLUE)) problems.push(`has a ${colourName(centre)} centre where the PNG is blue`);
    return problems;
  }
  if (img.orientation === 6) {
    const top = pixel(w / 2, h * 0.15);
    const bottom = pixel(w / 2, h * 0.85);
    if (!(near(top, RED) && near(bottom, BLUE))) problems.push(`is not upright: top is ${colourName(top)} and bottom ${colourName(bottom)}, expected red above blue (EXIF orientation 6 means "turn 90° clockwise"; sharp's .rotate() with no angle does it)`);
    return problems;
  }
  const left = pixel(w * 0.15, h / 2);
  const right = pixel(w * 0.85, h / 2);
  if (!(near(left, RED) && near(right, BLUE))) problems.push(`does not show the picture the right way round: left is ${colourName(left)}, right ${colourName(right)} (expected red left, blue right)`);
  return problems;
}
