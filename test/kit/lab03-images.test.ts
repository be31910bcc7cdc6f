/**
 * Lab 03's image set and thumbnail inspector, without a cloud: every
 * generated image has the size, format, EXIF orientation and transparency the
 * grader assumes; the reference solution's makeThumbnail passes the
 * inspection for every image; and the classic mistakes (no .rotate(), no
 * flatten, "fill" instead of "inside", PNG output, a thumbnail too big) are
 * each caught with a message that names the fix.
 */
import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { corruptBytes, displayedSize, expectedThumbnailKey, IMAGE_SET, inspectThumbnail, makeImageSet, type TestImage } from "../../labs/03-the-image-pipeline/images.js";
import { makeThumbnail } from "../../solutions/03-the-image-pipeline/handler.js";

const images = await makeImageSet();
const img = (key: string): TestImage => IMAGE_SET.find((i) => i.key === key)!;

describe("lab 03 image set", () => {
  it("makes every image with the promised format, size, orientation and alpha", async () => {
    for (const i of IMAGE_SET) {
      const meta = await sharp(images.get(i.key)!).metadata();
      expect(meta.format, i.key).toBe(i.format);
      expect([meta.width, meta.height], i.key).toEqual([i.width, i.height]);
      expect(meta.orientation, i.key).toBe(i.orientation);
      expect(Boolean(meta.hasAlpha), i.key).toBe(Boolean(i.alpha));
    }
    expect(displayedSize(img("uploads/rotated.jpg"))).toEqual({ width: 200, height: 300 });
  });

  it("names thumbnails thumbnails/<path>.jpg, keeping folders and awkward characters", () => {
    expect(expectedThumbnailKey("uploads/holiday photos/beach day.jpg")).toBe("thumbnails/holiday photos/beach day.jpg");
    expect(expectedThumbnailKey("uploads/a+b=c.png")).toBe("thumbnails/a+b=c.jpg");
    expect(expectedThumbnailKey("uploads/café/日本 ñ.jpeg")).toBe("thumbnails/café/日本 ñ.jpg");
  });

  it("corrupt bytes are not an image to sharp", async () => {
    await expect(sharp(corruptBytes()).metadata()).rejects.toThrow(/unsupported image format/);
  });
});

describe("lab 03 thumbnail inspection", () => {
  it("passes the reference solution's thumbnails for every image, and the solution reports the shown size", async () => {
    for (const i of IMAGE_SET) {
      const out = await makeThumbnail(images.get(i.key)!);
      expect(await inspectThumbnail(i, out.thumbnail, "image/jpeg"), i.key).toEqual([]);
      expect({ format: out.format, width: out.width, height: out.height }, i.key).toEqual({ format: i.format, ...displayedSize(i) });
    }
  });

  it("catches a thumbnail that ignores EXIF orientation", async () => {
    const i = img("uploads/rotated.jpg");
    const t = await sharp(images.get(i.key)!).resize({ width: 200, height: 200, fit: "inside" }).jpeg().toBuffer();
    expect((await inspectThumbnail(i, t)).join()).toMatch(/lying on its side.*\.rotate\(\)/);
  });

  it("catches an upside-down rotation (wrong direction)", async () => {
    const i = img("uploads/rotated.jpg");
    const t = await sharp(images.get(i.key)!).rotate(-90).resize({ width: 200, height: 200, fit: "inside" }).jpeg().toBuffer();
    expect((await inspectThumbnail(i, t)).join()).toMatch(/not upright/);
  });

  it("catches transparency that was not flattened onto white", async () => {
    const i = img("uploads/transparent.png");
    const t = await sharp(images.get(i.key)!).resize({ width: 200, height: 200, fit: "inside" }).jpeg().toBuffer();
    expect((await inspectThumbnail(i, t)).join()).toMatch(/black corner.*flatten/);
  });

  it('catches a distorted ("fill") or too large thumbnail, and a PNG', async () => {
    const i = img("uploads/landscape.jpg");
    const fill = await sharp(images.get(i.key)!).resize({ width: 200, height: 200, fit: "fill" }).jpeg().toBuffer();
    expect((await inspectThumbnail(i, fill)).join()).toMatch(/aspect/);
    const big = await sharp(images.get(i.key)!).resize({ width: 400 }).jpeg().toBuffer();
    expect((await inspectThumbnail(i, big)).join()).toMatch(/larger than 200×200/);
    const png = await sharp(images.get(i.key)!).resize({ width: 200 }).png().toBuffer();
    expect((await inspectThumbnail(i, png)).join()).toMatch(/not a JPEG/);
    const ok = await sharp(images.get(i.key)!).resize({ width: 200, height: 200, fit: "inside" }).jpeg().toBuffer();
    expect((await inspectThumbnail(i, ok, "application/octet-stream")).join()).toMatch(/ContentType/);
  });
});
