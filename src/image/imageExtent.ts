import { IMAGE_HEADER_SIZE, IMAGE_MAGIC, TLV_INFO_MAGIC, TLV_INFO_SIZE } from './McubootImage.js';

/**
 * How many bytes from the start of a slot parseImage needs to judge the image whose first bytes are
 * `prefix`, so that a slot can be read only as far as its image goes instead of in full.
 * undefined when `prefix` does not start with the image magic: then nothing short of the whole slot
 * tells erased from garbage. A result past the end of `prefix` means it stops short of what gives the
 * end (the header, then the TLV info): read that far and ask again. Once the TLV info is in `prefix`,
 * the result is the end of the TLV area; a malformed header or TLV info gives the end of what shows
 * it, as parseImage rejects the image from those bytes alone. The result may lie past the slot:
 * parseImage then finds the image cut, whatever else of the slot is read.
 */
export function imageExtent(prefix: Buffer): number | undefined {
  if (prefix.length < 4 || prefix.readUInt32LE(0) !== IMAGE_MAGIC) return undefined;
  if (prefix.length < IMAGE_HEADER_SIZE) return IMAGE_HEADER_SIZE;
  const hdrSize = prefix.readUInt16LE(8);
  if (hdrSize < IMAGE_HEADER_SIZE) return IMAGE_HEADER_SIZE;
  const hashedEnd = hdrSize + prefix.readUInt32LE(12) + prefix.readUInt16LE(10);
  const infoEnd = hashedEnd + TLV_INFO_SIZE;
  if (prefix.length < infoEnd) return infoEnd;
  const tlvTotal = prefix.readUInt16LE(hashedEnd + 2);
  if (prefix.readUInt16LE(hashedEnd) !== TLV_INFO_MAGIC || tlvTotal < TLV_INFO_SIZE) return infoEnd;
  return hashedEnd + tlvTotal;
}
