/** The part of validate-npm-package-name (which ships no types) that package-spec.ts uses. */
declare module 'validate-npm-package-name' {
  interface Verdict {
    validForNewPackages: boolean;
    validForOldPackages: boolean;
    errors?: string[];
    warnings?: string[];
  }
  function validate(name: string): Verdict;
  export = validate;
}
