/** The self-check of labs 04 and 07, the two longest grades (test/kit/self-check.ts; the others in labs-self-check.test.ts). */
import { defineSelfCheck } from "./self-check.js";

await defineSelfCheck((id) => ["04", "07"].includes(id));
