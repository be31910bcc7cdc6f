import type { BuildOptions } from "esbuild";
/** The esbuild options of the cloud's bundle (cloud-build.mjs). */
export function cloudBuildOptions(root: string, outfile: string): BuildOptions;
