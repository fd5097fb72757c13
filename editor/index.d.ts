/** Absolute path of the built editor (index.html and assets), made by `vite build`. */
export declare const editorDist: string;
