/**
 * The real photographs among the JPEGs that Debian's wallpaper packages ship. Picked by looking at
 * every JPEG over 100 kB in the packages below: renders, paintings, logos and abstract art are left
 * out, because their smooth gradients decode faster than camera photos and would flatter
 * everybody. Each package becomes one class folder, so the set has the root/<class>/<file> shape.
 */
export interface PhotoSource {
  /** Debian package that ships the files. */
  pkg: string;
  /** Class folder name in bench/data. */
  className: string;
  dir: string;
  files: string[];
}

/** Plasma wallpapers keep one size per folder; the photos all come as 2560x1600. */
const plasma = (name: string): string => `${name}/contents/images/2560x1600.jpg`;

export const photoSources: PhotoSource[] = [
  {
    pkg: 'lomiri-wallpapers-16.04',
    className: 'lomiri',
    dir: '/usr/share/backgrounds',
    files: [
      'Bridge_by_Sander_Klootwijk.jpg', 'Dragonfly_by_Bolly.jpg', 'Picture_0B_by_freespace.jpg',
      'Picture_1A_by_freespace.jpg', 'Wine_by_Jakkub_Mede.jpg', 'aitzgorri_by_Aitzol_Berasategi.jpg',
      'analogpattern_by_Peter_Nerlich.jpg', 'free_by_Peter_Nerlich.jpg', 'friends_by_Aitzol_Berasategi.jpg',
      'greentock_by_Peter_Nerlich.jpg', 'life_by_Aitzol_Berasategi.jpg', 'picosdeeuropa_by_Aitzol_Berasategi.jpg',
      'seeding_by_Clements_Engelhardt.jpg', 'sunset_by_Aitzol_Berasategi.jpg',
    ],
  },
  {
    pkg: 'lomiri-wallpapers-20.04',
    className: 'lomiri-2004',
    dir: '/usr/share/backgrounds',
    files: ['Infinite-Sea_by_Aury88.jpg', 'Kleiber_by_Lukas_Baubkus.jpg'],
  },
  {
    pkg: 'mate-backgrounds',
    className: 'mate',
    dir: '/usr/share/backgrounds/mate/nature',
    files: [
      'Aqua.jpg', 'Blinds.jpg', 'Dune.jpg', 'Garden.jpg', 'GreenMeadow.jpg', 'LadyBird.jpg',
      'RainDrops.jpg', 'Storm.jpg', 'TwoWings.jpg', 'Wood.jpg', 'YellowFlower.jpg',
    ],
  },
  {
    pkg: 'plasma-workspace-wallpapers',
    className: 'plasma',
    dir: '/usr/share/wallpapers',
    files: [
      'BytheWater', 'ColdRipple', 'ColorfulCups', 'DarkestHour', 'EveningGlow', 'FallenLeaf', 'Grey',
      'Kite', 'OneStandsOut', 'Path', 'summer_1am',
    ].map(plasma),
  },
];
